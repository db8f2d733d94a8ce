/*
 * PIL's 8-bit separable resampling passes (Pillow 9.4, libImaging/Resample.c:
 * ImagingResampleHorizontal_8bpc and ImagingResampleVertical_8bpc) for 3-channel images, as
 * WebAssembly SIMD. Why hand-written: the output must equal Pillow's bit for bit, and no library
 * (sharp/libvips included) implements Pillow's fixed-point coefficients and rounding. Same
 * arithmetic as the C original: int32 accumulators starting at 1 << (PRECISION_BITS - 1),
 * 22-bit fixed-point weights, wrapping int32 sums, then clip8 (>> 22, clamp to 0..255), which
 * the two saturating narrows do exactly. The coefficient tables come from JS
 * (pil-coefficients.ts), so this file holds only the loops. normalize_chw, at the end, is the
 * table lookup of normalize.ts, written independently: its parity test compares the two (the JS
 * loop, reading four pixels as three words, is now the faster and the one used).
 *
 * Freestanding: no libc, memory owned by the caller (pil-resample.wasm.ts lays it out).
 * Built by build-wasm.sh (clang --target=wasm32 -msimd128); see that script.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

static inline v128_t clip8x4(v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t ab = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a, PRECISION_BITS), wasm_i32x4_shr(b, PRECISION_BITS));
  v128_t cd = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(c, PRECISION_BITS), wasm_i32x4_shr(d, PRECISION_BITS));
  return wasm_u8x16_narrow_i16x8(ab, cd);
}

/*
 * Horizontal pass over `rows` rows of interleaved RGB (`in_width` pixels each, rows packed):
 * output pixel xx of a row sums input pixels starts[xx] .. starts[xx] + counts[xx] - 1 with
 * weights[xx * ksize + i]. One pixel per vector (lanes R, G, B and a spare). Reads one byte past
 * the last pixel of the input and writes one past the last output pixel: the caller pads both.
 */
void resample_h(const uint8_t *in, int in_width, int rows, uint8_t *out, int out_width,
                const int32_t *starts, const int32_t *counts, const int32_t *weights, int ksize) {
  const v128_t half = wasm_i32x4_splat(HALF);
  for (int y = 0; y < rows; y++) {
    const uint8_t *row = in + (long)y * in_width * 3;
    uint8_t *o = out + (long)y * out_width * 3;
    for (int xx = 0; xx < out_width; xx++) {
      const uint8_t *p = row + starts[xx] * 3;
      const int32_t *k = weights + xx * ksize;
      int n = counts[xx];
      v128_t acc = half;
      int x = 0;
      for (; x + 1 < n; x += 2, p += 6) {
        v128_t px0 = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
        v128_t px1 = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p + 3)));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px0, wasm_i32x4_splat(k[x])));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px1, wasm_i32x4_splat(k[x + 1])));
      }
      if (x < n) {
        v128_t px = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px, wasm_i32x4_splat(k[x])));
      }
      v128_t s = wasm_i32x4_shr(acc, PRECISION_BITS);
      v128_t b = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(s, s), wasm_i16x8_narrow_i32x4(s, s));
      wasm_v128_store32_lane(o + xx * 3, b, 0);
    }
  }
}

/*
 * Vertical pass: output row yy sums input rows starts[yy] - row_offset onwards, `stride` bytes a
 * row (width * 3). Sixteen bytes at a time; reads and writes up to 15 bytes past a row's end:
 * the caller pads the input and output buffers by 16 bytes.
 */
void resample_v(const uint8_t *in, int stride, int row_offset, uint8_t *out, int out_height,
                const int32_t *starts, const int32_t *counts, const int32_t *weights, int ksize) {
  const v128_t half = wasm_i32x4_splat(HALF);
  for (int yy = 0; yy < out_height; yy++) {
    const int32_t *k = weights + yy * ksize;
    int n = counts[yy];
    const uint8_t *first = in + (long)(starts[yy] - row_offset) * stride;
    uint8_t *o = out + (long)yy * stride;
    for (int x = 0; x < stride; x += 16) {
      v128_t a0 = half, a1 = half, a2 = half, a3 = half;
      const uint8_t *p = first + x;
      for (int y = 0; y < n; y++, p += stride) {
        v128_t v = wasm_v128_load(p);
        v128_t w = wasm_i32x4_splat(k[y]);
        v128_t lo = wasm_u16x8_extend_low_u8x16(v);
        v128_t hi = wasm_u16x8_extend_high_u8x16(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), w));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), w));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), w));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), w));
      }
      wasm_v128_store(o + x, clip8x4(a0, a1, a2, a3));
    }
  }
}

/*
 * HWC RGB bytes to the model's CHW float32 planes through per-channel tables of 256 floats
 * (normalize.ts builds them with the reference's float32 arithmetic, so this is a pure lookup).
 */
void normalize_chw(const uint8_t *rgb, int pixels, const float *tables, float *out) {
  const float *t0 = tables, *t1 = tables + 256, *t2 = tables + 512;
  float *o0 = out, *o1 = out + pixels, *o2 = out + 2 * (long)pixels;
  for (int i = 0; i < pixels; i++, rgb += 3) {
    o0[i] = t0[rgb[0]];
    o1[i] = t1[rgb[1]];
    o2[i] = t2[rgb[2]];
  }
}
