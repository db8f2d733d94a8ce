import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIL_BICUBIC, PIL_BILINEAR, PIL_BOX, PIL_HAMMING, PIL_LANCZOS } from './pil-filters';
import { normalizeToChw } from './normalize';
import { resizePil } from './pil-resample';
import { wasmKernel } from './pil-resample.wasm';
import { RESAMPLE_WASM_BASE64 } from './wasm/resample-wasm.base64';

/** A seeded image with many saturated pixels, so clip8's clamping is exercised too. */
function noisy(width: number, height: number, seed: number) {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) {
    const r = next();
    rgb[i] = r < 0.15 ? 0 : r < 0.3 ? 255 : Math.floor(next() * 256);
  }
  return { rgb, width, height };
}

describe('the WebAssembly resampling kernel', () => {
  it('loads here (Node 20+ has WebAssembly SIMD), so the fast path is what runs', () => {
    expect(wasmKernel()).not.toBeNull();
  });

  it('is the committed resample.wasm, byte for byte (build-wasm.sh writes both)', () => {
    const wasm = readFileSync(join(__dirname, 'wasm/resample.wasm'));
    expect(Buffer.from(RESAMPLE_WASM_BASE64, 'base64').equals(wasm)).toBe(true);
  });

  const filters = [PIL_BILINEAR, PIL_BICUBIC, PIL_LANCZOS, PIL_BOX, PIL_HAMMING];
  const sizes: [number, number, number, number][] = [
    [1, 1, 384, 384],
    [5, 3, 7, 2],
    [600, 300, 384, 384],
    [300, 600, 384, 384],
    [385, 383, 384, 384],
    [1000, 17, 31, 500],
    [731, 509, 384, 384],
    [384, 900, 384, 384],
    [900, 384, 384, 384],
  ];
  it.each(sizes)('%ix%i to %ix%i: the same bytes as the JS passes, every PIL filter', (w, h, ow, oh) => {
    const src = noisy(w, h, w * 7919 + h);
    for (const f of filters) {
      const js = resizePil(src, ow, oh, f, 'js');
      const wasm = resizePil(src, ow, oh, f, 'wasm');
      expect({ f, same: Buffer.from(wasm.rgb).equals(Buffer.from(js.rgb)) }).toEqual({ f, same: true });
    }
  });

  it('gives the same bytes for a source taller than one strip of rows', () => {
    const src = noisy(1500, 500, 3); // 2.25 MB: three 1 MiB strips
    const js = resizePil(src, 384, 384, PIL_BILINEAR, 'js');
    expect(Buffer.from(resizePil(src, 384, 384, PIL_BILINEAR).rgb).equals(Buffer.from(js.rgb))).toBe(true);
  });

  it('normalises to the same float32 CHW tensor as the JS tables, for several mean/std settings', () => {
    const src = noisy(384, 384, 11);
    type Rgb3 = [number, number, number];
    const settings: {
      doRescale: boolean;
      rescaleFactor: number;
      doNormalize: boolean;
      mean: Rgb3;
      std: Rgb3;
    }[] = [
      {
        doRescale: true,
        rescaleFactor: 1 / 255,
        doNormalize: true,
        mean: [0.5, 0.5, 0.5],
        std: [0.5, 0.5, 0.5],
      },
      {
        doRescale: true,
        rescaleFactor: 1 / 255,
        doNormalize: true,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
      { doRescale: false, rescaleFactor: 1, doNormalize: false, mean: [0, 0, 0], std: [1, 1, 1] },
    ];
    for (const spec of settings) {
      const js = normalizeToChw(src.rgb, 384, 384, spec, 'js');
      const wasm = normalizeToChw(src.rgb, 384, 384, spec, 'wasm');
      expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    }
  });
});
