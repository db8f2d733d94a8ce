import { byteToFloatTables } from '../preprocess/normalize';
import type { PreprocessorSpec } from '../model/preprocessor-spec';
import { RgbBatchPacker } from './rgb-batch';

const SPEC: Pick<PreprocessorSpec, 'doRescale' | 'rescaleFactor' | 'doNormalize' | 'mean' | 'std'> = {
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

describe('prepared inputs packed in the session thread', () => {
  it('equals toPixelValues bit for bit, image after image, and reuses its buffer', () => {
    const [w, h] = [7, 5];
    const images = [0, 1, 2].map((n) =>
      Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + n * 91) & 0xff),
    );
    const packer = new RgbBatchPacker(SPEC);
    const packed = packer.pack(images, h, w);
    // The definition, pixel by pixel (toPixelValues' values are the tables', normalize.spec.ts).
    const tables = byteToFloatTables(SPEC);
    const expected = new Float32Array(3 * 3 * w * h);
    images.forEach((rgb, n) => {
      for (let i = 0; i < w * h; i++)
        for (let c = 0; c < 3; c++) expected[n * 3 * w * h + c * w * h + i] = tables[c][rgb[i * 3 + c]];
    });
    expect(Array.from(packed)).toEqual(Array.from(expected));
    expect(packer.pack(images.slice(0, 2), h, w).buffer).toBe(packed.buffer);
    expect(() => packer.pack([new Uint8Array(3)], h, w)).toThrow(RangeError);
  });
});
