import { byteToFloatTables, lookupToChw, normalizeToChw } from './normalize';

const reference = {
  doRescale: true,
  rescaleFactor: 0.00392156862745098,
  doNormalize: true,
  mean: [0.5, 0.5, 0.5] as const,
  std: [0.5, 0.5, 0.5] as const,
};

describe('normalisation tables', () => {
  it('follows numpy: float64 rescale cast to float32, then float32 (x - mean) / std', () => {
    const [t] = byteToFloatTables(reference);
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v * 0.00392156862745098);
      expect(t[v]).toBe(Math.fround(Math.fround(x - 0.5) / 0.5));
    }
    expect(t[0]).toBe(-1);
    expect(t[255]).toBe(1);
  });

  it('differs from the shortcut v / 127.5 - 1 in the last bit for many bytes', () => {
    const [t] = byteToFloatTables(reference);
    let differing = 0;
    for (let v = 0; v < 256; v++) if (t[v] !== Math.fround(v / 127.5 - 1)) differing++;
    expect(differing).toBeGreaterThan(50);
  });

  it('uses each channel its own float32 mean and std', () => {
    const spec = { ...reference, mean: [0.485, 0.456, 0.406] as const, std: [0.229, 0.224, 0.225] as const };
    const tables = byteToFloatTables(spec);
    tables.forEach((t, c) => {
      const x = Math.fround(200 * spec.rescaleFactor);
      expect(t[200]).toBe(Math.fround(Math.fround(x - Math.fround(spec.mean[c])) / Math.fround(spec.std[c])));
    });
  });

  it('leaves bytes as they are with do_rescale and do_normalize off', () => {
    const [t] = byteToFloatTables({ ...reference, doRescale: false, doNormalize: false });
    for (let v = 0; v < 256; v++) expect(t[v]).toBe(v);
  });

  it('normalises raw bytes (no rescale) when only do_rescale is off', () => {
    const [t] = byteToFloatTables({ ...reference, doRescale: false });
    expect(t[255]).toBe(509);
  });

  it('rescales only when do_normalize is off', () => {
    const [t] = byteToFloatTables({ ...reference, doNormalize: false, rescaleFactor: 0.5 });
    expect(t[3]).toBe(1.5);
  });

  it('writes CHW planes from HWC bytes', () => {
    const rgb = Uint8Array.from([0, 255, 0, 255, 0, 255]);
    const out = normalizeToChw(rgb, 2, 1, { ...reference, doRescale: false, doNormalize: false });
    expect(Array.from(out)).toEqual([0, 255, 255, 0, 0, 255]);
  });
});

describe('the CHW lookup (lookupToChw)', () => {
  const spec = { ...reference, mean: [0.485, 0.456, 0.406] as const, std: [0.229, 0.224, 0.225] as const };
  const tables = byteToFloatTables(spec);
  /** The definition, one byte at a time. */
  const naive = (rgb: Uint8Array, pixels: number): Float32Array => {
    const out = new Float32Array(pixels * 3);
    for (let i = 0; i < pixels; i++)
      for (let c = 0; c < 3; c++) out[c * pixels + i] = tables[c][rgb[i * 3 + c]];
    return out;
  };

  it('gives every byte its own channel table on the word-at-a-time path, tail included', () => {
    for (const pixels of [1, 3, 4, 5, 8, 35, 384 * 384]) {
      const rgb = Uint8Array.from({ length: pixels * 3 }, (_, i) => (i * 131 + 7) & 0xff);
      const out = new Float32Array(pixels * 3);
      lookupToChw(rgb, pixels, tables, out);
      expect(Buffer.from(out.buffer).equals(Buffer.from(naive(rgb, pixels).buffer))).toBe(true);
    }
  });

  it('reads bytes that do not start on a 4-byte boundary, and writes at an offset', () => {
    const pixels = 37;
    const backing = Uint8Array.from({ length: pixels * 3 + 3 }, (_, i) => (i * 89 + 1) & 0xff);
    for (const start of [1, 2, 3]) {
      const rgb = backing.subarray(start, start + pixels * 3);
      const out = new Float32Array(5 + pixels * 3).fill(42);
      lookupToChw(rgb, pixels, tables, out, 5);
      expect(Array.from(out.subarray(0, 5))).toEqual([42, 42, 42, 42, 42]);
      expect(Array.from(out.subarray(5))).toEqual(Array.from(naive(rgb, pixels)));
    }
  });

  it('is what normalizeToChw returns', () => {
    const rgb = Uint8Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 53) & 0xff);
    expect(Array.from(normalizeToChw(rgb, 6, 5, spec))).toEqual(Array.from(naive(rgb, 30)));
  });
});
