import { InferenceError, type ResizedImage } from '@dermafleet/inference';
import { decodeModelInput, encodeModelInput } from './model-input.codec';

describe('the prepared model input between the tiers', () => {
  const resized: ResizedImage = {
    rgb: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => i),
    width: 4,
    height: 2,
    source: { width: 4000, height: 3000, format: 'jpeg' },
  };

  it('round-trips the RGB bytes, the size, the source and how it was prepared', () => {
    const object = encodeModelInput(resized, { mode: 'fast', autoOrient: true });
    expect(object.body).toBe(resized.rgb);
    expect(Object.values(object.metadata).every((v) => typeof v === 'string')).toBe(true);
    expect(decodeModelInput(Buffer.from(object.body), object.metadata)).toEqual({
      resized: { ...resized, rgb: Buffer.from(resized.rgb) },
      preprocessing: { mode: 'fast', autoOrient: true },
    });
  });

  it.each([
    ['a missing layout', { layout: undefined }],
    ['a size that does not match the bytes', { width: '5' }],
    ['no height', { height: undefined }],
    ['an unknown preprocessing mode', { 'preprocess-mode': 'approx' }],
  ])('refuses %s as a transient error (the object is ours; a retry may find it whole)', (_why, change) => {
    const { body, metadata } = encodeModelInput(resized, { mode: 'exact', autoOrient: false });
    const broken = Object.fromEntries(
      Object.entries({ ...metadata, ...change }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const decode = () => decodeModelInput(body, broken);
    expect(decode).toThrow(InferenceError);
    expect(decode).toThrow(/prepared model input is unusable/);
    try {
      decode();
    } catch (err) {
      expect((err as InferenceError).permanent).toBe(false);
    }
  });
});
