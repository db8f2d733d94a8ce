/**
 * PIL's own mode conversions (Pillow 9.4, libImaging/Convert.c) for the sources where libvips
 * converts differently. Both run over raw channels that sharp decodes without colour management.
 */

/** MULDIV255 of ImagingUtils.h: a * b / 255 rounded, with PIL's shift trick. */
function mulDiv255(a: number, b: number): number {
  const tmp = a * b + 128;
  return ((tmp >> 8) + tmp) >> 8;
}

/**
 * cmyk2rgb: nk = 255 - K; R = CLIP8(nk - MULDIV255(C, nk)) (likewise G from M, B from Y), no ICC
 * profile. The input is ink values as libvips decodes them without a profile, which are PIL's:
 * PIL reads every CMYK JPEG with rawmode "CMYK;I" and the libvips bundled with sharp inverts
 * every CMYK JPEG too, Adobe marker or not (decode-rgb.pil-modes.spec checks it); TIFF ink
 * values are read as stored by both.
 */
export function cmykToRgbPil(cmyk: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, p = 0, o = 0; i < pixels; i++, p += 4, o += 3) {
    const nk = 255 - cmyk[p + 3];
    // nk - MULDIV255(x, nk) lies in [0, 255] for bytes, so CLIP8 never changes it.
    out[o] = nk - mulDiv255(cmyk[p], nk);
    out[o + 1] = nk - mulDiv255(cmyk[p + 1], nk);
    out[o + 2] = nk - mulDiv255(cmyk[p + 2], nk);
  }
  return out;
}

/**
 * A 16-bit grey PNG opens in PIL 9.4 as mode "I" and i2rgb clips each value to [0, 255]
 * (it does not scale: 256 and above become white). libvips scales by >> 8 instead.
 */
export function grey16ToRgbPil(grey: Uint16Array): Uint8Array {
  const out = new Uint8Array(grey.length * 3);
  for (let i = 0, o = 0; i < grey.length; i++, o += 3) {
    const v = grey[i] > 255 ? 255 : grey[i];
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
  }
  return out;
}
