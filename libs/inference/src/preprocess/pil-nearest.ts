import type { RgbImage } from './pil-resample';

/** C's COORD(v) of Geometry.c: negative coordinates are outside, others truncate. */
function coord(v: number): number {
  return v < 0.0 ? -1 : Math.trunc(v);
}

/**
 * PIL's NEAREST resize (Pillow 9.4): _imaging.c's resize hands NEAREST to an affine transform
 * with a = [in/out, 0, 0, 0, in/out, 0], which ImagingScaleAffine samples at
 * a[2] + a[0] * 0.5 + k * a[0], accumulated in double as C does (the accumulation's rounding
 * decides which source pixel a boundary case picks).
 */
export function resizeNearestPil(src: RgbImage, width: number, height: number): RgbImage {
  const ax = src.width / width;
  const ay = src.height / height;
  const xin = new Int32Array(width);
  let xo = ax * 0.5;
  for (let x = 0; x < width; x++) {
    const xi = coord(xo);
    // PIL fills positions outside the source with zeros (fill = 1); -1 marks them.
    xin[x] = xi >= 0 && xi < src.width ? xi : -1;
    xo += ax;
  }
  // Zero-initialised, which is PIL's fill for any position outside the source.
  const out = new Uint8Array(width * height * 3);
  const inStride = src.width * 3;
  let yo = ay * 0.5;
  for (let y = 0; y < height; y++) {
    const yi = coord(yo);
    yo += ay;
    if (yi < 0 || yi >= src.height) continue;
    const rowBase = yi * inStride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (xin[x] < 0) continue;
      const p = rowBase + xin[x] * 3;
      out[o] = src.rgb[p];
      out[o + 1] = src.rgb[p + 1];
      out[o + 2] = src.rgb[p + 2];
    }
  }
  return { rgb: out, width, height };
}
