import type { AxisCoefficients } from './pil-coefficients';
import { RESAMPLE_WASM_BASE64 } from './wasm/resample-wasm.base64';

/**
 * The WebAssembly SIMD kernel for PIL's two resampling passes (wasm/resample.c says why it is
 * hand-written). Memory is laid out per call: the source enters in strips of rows, so wasm
 * memory holds about a megabyte of source at a time, plus the horizontal pass's output (rows x
 * 384 x 3) and the result. A thread keeps its instance; one grown past MAX_KEPT_BYTES by a tall
 * image is dropped after the call so its memory can be collected.
 */
type Pass = (
  inPtr: number,
  a: number,
  b: number,
  outPtr: number,
  outSize: number,
  starts: number,
  counts: number,
  weights: number,
  ksize: number,
) => void;

/** The few WebAssembly JS API members used here (this project's TS libs do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

type Normalize = (rgbPtr: number, pixels: number, tablesPtr: number, outPtr: number) => void;

interface Kernel {
  memory: WasmMemory;
  horizontal: Pass;
  vertical: Pass;
  normalize: Normalize;
}

const PAGE = 65536;
/** Below this, clang's stack for the module (it starts at 66,560 and grows down). */
const RESERVED = 2 * PAGE;
const STRIP_BYTES = 1 << 20;
const MAX_KEPT_BYTES = 64 << 20;
/** Both passes read and write up to 15 bytes past their buffers. */
const PAD = 16;

let kernel: Kernel | null | undefined;

function instantiate(): Kernel | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new wasm.Memory({ initial: RESERVED / PAGE + 16 });
    const module = new wasm.Module(Buffer.from(RESAMPLE_WASM_BASE64, 'base64'));
    const exports = new wasm.Instance(module, { env: { memory } }).exports as unknown as {
      resample_h: Pass;
      resample_v: Pass;
      normalize_chw: Normalize;
    };
    return {
      memory,
      horizontal: exports.resample_h,
      vertical: exports.resample_v,
      normalize: exports.normalize_chw,
    };
  } catch {
    return null; // no WebAssembly SIMD here: the JS passes run instead
  }
}

/** The kernel, or null where WebAssembly SIMD is unavailable. */
export function wasmKernel(): Kernel | null {
  if (kernel === undefined) kernel = instantiate();
  return kernel;
}

/** A bump allocator over the kernel's memory for one call, 16-byte aligned. */
class Layout {
  private end = RESERVED;
  take(bytes: number): number {
    const at = this.end;
    this.end += Math.ceil((bytes + PAD) / 16) * 16;
    return at;
  }
  fit(memory: WasmMemory): void {
    const missing = Math.ceil((this.end - memory.buffer.byteLength) / PAGE);
    if (missing > 0) memory.grow(missing);
  }
}

function tables(layout: Layout, c: AxisCoefficients): { at: [number, number, number]; c: AxisCoefficients } {
  return {
    at: [
      layout.take(c.starts.byteLength),
      layout.take(c.counts.byteLength),
      layout.take(c.weights.byteLength),
    ],
    c,
  };
}

function writeTables(heap: Uint8Array, t: { at: [number, number, number]; c: AxisCoefficients }): void {
  const { starts, counts, weights } = t.c;
  heap.set(new Uint8Array(starts.buffer, starts.byteOffset, starts.byteLength), t.at[0]);
  heap.set(new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength), t.at[1]);
  heap.set(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), t.at[2]);
}

export interface WasmResizeJob {
  src: Uint8Array;
  srcWidth: number;
  /** Source rows the vertical pass reads: [rowFirst, rowLast). */
  rowFirst: number;
  rowLast: number;
  outWidth: number;
  outHeight: number;
  horiz: AxisCoefficients | null;
  vert: AxisCoefficients | null;
}

/** Runs the passes PIL would run (horizontal on the needed rows, then vertical); a new array. */
export function resizeWithWasm(k: Kernel, job: WasmResizeJob): Uint8Array {
  const { src, srcWidth, rowFirst, rowLast, outWidth, outHeight, horiz, vert } = job;
  const rows = rowLast - rowFirst;
  const inStride = srcWidth * 3;
  const midStride = (horiz ? outWidth : srcWidth) * 3;
  const stripRows = Math.max(1, Math.min(rows, Math.floor(STRIP_BYTES / inStride)));
  const layout = new Layout();
  const h = horiz ? tables(layout, horiz) : null;
  const v = vert ? tables(layout, vert) : null;
  const strip = horiz ? layout.take(stripRows * inStride) : 0;
  const mid = layout.take(rows * midStride);
  const out = vert ? layout.take(outHeight * midStride) : mid;
  layout.fit(k.memory);
  const heap = new Uint8Array(k.memory.buffer);
  if (h) writeTables(heap, h);
  if (v) writeTables(heap, v);
  if (h) {
    for (let r = rowFirst; r < rowLast; r += stripRows) {
      const n = Math.min(stripRows, rowLast - r);
      heap.set(src.subarray(r * inStride, (r + n) * inStride), strip);
      k.horizontal(strip, srcWidth, n, mid + (r - rowFirst) * midStride, outWidth, ...h.at, h.c.ksize);
    }
  } else {
    heap.set(src.subarray(rowFirst * inStride, rowLast * inStride), mid);
  }
  if (v) k.vertical(mid, midStride, rowFirst, out, outHeight, ...v.at, v.c.ksize);
  const result = heap.slice(out, out + outHeight * midStride);
  if (k.memory.buffer.byteLength > MAX_KEPT_BYTES) kernel = undefined;
  return result;
}

/** HWC bytes to CHW float32 through three 256-entry tables (normalize.ts), in the kernel. */
export function normalizeWithWasm(
  k: Kernel,
  rgb: Uint8Array,
  pixels: number,
  tables: Float32Array[],
): Float32Array {
  const layout = new Layout();
  const tablesAt = layout.take(3 * 256 * 4);
  const rgbAt = layout.take(pixels * 3);
  const outAt = layout.take(pixels * 3 * 4);
  layout.fit(k.memory);
  const floats = new Float32Array(k.memory.buffer);
  tables.forEach((t, c) => floats.set(t, tablesAt / 4 + c * 256));
  new Uint8Array(k.memory.buffer).set(rgb.subarray(0, pixels * 3), rgbAt);
  k.normalize(rgbAt, pixels, tablesAt, outAt);
  return floats.slice(outAt / 4, outAt / 4 + pixels * 3);
}
