import { InvalidModelError } from '../errors';
import type { PreprocessorSpec } from '../model/preprocessor-spec';
import { decodeRgb } from './decode-rgb';
import { fastPathApplies, resizeFast } from './fast-resize';
import { readImageHeader } from './image-header';
import { normalizeToChw } from './normalize';
import { pilFilter, PIL_NEAREST } from './pil-filters';
import { resizePil, type RgbImage } from './pil-resample';
import type { PreprocessedImage, PreprocessOptions, ResizedImage, SourceImageInfo } from './preprocess.types';

/** The reference's behaviour: PIL's algorithm, no EXIF rotation. */
export const DEFAULT_PREPROCESS_OPTIONS: PreprocessOptions = { mode: 'exact', autoOrient: false };

function assertSpecSupported(spec: PreprocessorSpec): void {
  if (spec.doResize && spec.resample !== PIL_NEAREST && !pilFilter(spec.resample)) {
    throw new InvalidModelError(
      `preprocessor_config.json: resample ${spec.resample} is not a PIL filter (0-5)`,
    );
  }
}

/**
 * An array that owns its whole (non-shared) buffer, so the pool can transfer it between threads
 * without copying and without detaching memory anything else uses. The tag test, unlike
 * instanceof, also holds for buffers from another realm (jest's sandbox).
 */
function owned(image: RgbImage): RgbImage {
  const { rgb } = image;
  const plain = Object.prototype.toString.call(rgb.buffer) === '[object ArrayBuffer]';
  if (plain && rgb.byteOffset === 0 && rgb.byteLength === rgb.buffer.byteLength) return image;
  return { ...image, rgb: rgb.slice() };
}

/**
 * Decode and resize to the model's input size: the compact 8-bit RGB form (384*384*3 bytes) that
 * can travel between pods before normalisation. Exact mode reproduces PIL bit for bit; fast
 * mode lets libvips shrink on load and resize images at least twice the input size
 * (FAST_MODE.md gives the measured difference) and is exact for the rest.
 */
export async function resizeToModelInput(
  bytes: Uint8Array,
  spec: PreprocessorSpec,
  options: PreprocessOptions = DEFAULT_PREPROCESS_OPTIONS,
): Promise<ResizedImage> {
  assertSpecSupported(spec);
  const decodeOptions = { autoOrient: options.autoOrient, maxPixels: options.maxPixels };
  let image: RgbImage;
  let source: SourceImageInfo;
  const header = options.mode === 'fast' && spec.doResize ? readImageHeader(bytes) : null;
  if (header && fastPathApplies(header, spec.width, spec.height)) {
    image = await resizeFast(bytes, header, spec.width, spec.height, decodeOptions);
    source = { width: header.width, height: header.height, format: header.format };
  } else {
    const decoded = await decodeRgb(bytes, decodeOptions);
    image = spec.doResize ? resizePil(decoded, spec.width, spec.height, spec.resample) : decoded;
    source = { width: decoded.header.width, height: decoded.header.height, format: decoded.format };
  }
  return { ...owned(image), source };
}

/** The resized bytes to the model's float32 CHW tensor (rescale, normalise) as the reference does. */
export function toPixelValues(resized: ResizedImage, spec: PreprocessorSpec): Float32Array {
  return normalizeToChw(resized.rgb, resized.width, resized.height, spec);
}

/** Decode, resize and normalise: the `pixel_values` of one image. */
export async function preprocessImage(
  bytes: Uint8Array,
  spec: PreprocessorSpec,
  options: PreprocessOptions = DEFAULT_PREPROCESS_OPTIONS,
): Promise<PreprocessedImage> {
  const resized = await resizeToModelInput(bytes, spec, options);
  return {
    data: toPixelValues(resized, spec),
    width: resized.width,
    height: resized.height,
    source: resized.source,
  };
}
