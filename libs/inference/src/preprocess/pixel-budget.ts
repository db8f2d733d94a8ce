import { readImageHeader } from './image-header';

/**
 * A weighted semaphore on decoded pixels: the sum of width x height (from each image's header,
 * read before any pixel is decoded) of the images being decoded at once stays within
 * `capacity`. A decode holds about 3 bytes per pixel of RGB (7 for CMYK, 6 for 16-bit grey)
 * plus libvips's buffers, so bounding pixels in flight bounds a worker's decode memory whatever
 * the thread count: six 9999x9999 PNGs of 290 KB each no longer decode side by side.
 * An image larger than the whole capacity runs alone (the per-image limit, MAX_IMAGE_PIXELS,
 * bounds that one). The owner decides the order; this only keeps the accounts.
 */
export class PixelBudget {
  private held = 0;
  private highWater = 0;

  constructor(readonly capacity: number) {}

  /** Pixels being decoded now. */
  get inFlight(): number {
    return this.held;
  }

  /** The most pixels ever in flight at once (for tests and metrics). */
  get peak(): number {
    return this.highWater;
  }

  fits(pixels: number): boolean {
    return this.held === 0 || this.held + pixels <= this.capacity;
  }

  take(pixels: number): void {
    this.held += pixels;
    this.highWater = Math.max(this.highWater, this.held);
  }

  release(pixels: number): void {
    this.held -= pixels;
  }
}

/** The pixels a task will decode, from its header; 0 when the header is unreadable (it fails fast). */
export function decodedPixels(bytes: Uint8Array): number {
  try {
    const { width, height } = readImageHeader(bytes);
    return width * height;
  } catch {
    return 0;
  }
}
