import { InferenceError, InvalidImageError, InvalidModelError } from '../errors';
import type { PreprocessorSpec } from '../model/preprocessor-spec';
import { ImageTooLargeError, UnsupportedImageFormatError } from './preprocess.errors';
import type { PreprocessedImage, PreprocessOptions, ResizedImage } from './preprocess.types';

/** Messages between the pool and its threads. */
export type PoolTaskKind = 'resize' | 'preprocess';

export interface PoolTask {
  id: number;
  kind: PoolTaskKind;
  bytes: Uint8Array;
  spec: PreprocessorSpec;
  options: PreprocessOptions;
}

export type PoolResult = ResizedImage | PreprocessedImage;

export type PoolReply =
  | { id: number; ok: true; result: PoolResult }
  | { id: number; ok: false; error: SerializedError };

/** Errors cross threads as plain data; our classes are rebuilt so `instanceof` keeps working. */
export interface SerializedError {
  name: string;
  message: string;
  code?: InferenceError['code'];
  permanent?: boolean;
  detected?: string | null;
  pixels?: number;
  maxPixels?: number;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ImageTooLargeError) {
    return { name: err.name, message: err.message, pixels: err.pixels, maxPixels: err.maxPixels };
  }
  if (err instanceof UnsupportedImageFormatError)
    return { name: err.name, message: err.message, detected: err.detected };
  if (err instanceof InferenceError) {
    return { name: err.name, message: err.message, code: err.code, permanent: err.permanent };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  switch (e.name) {
    case 'ImageTooLargeError':
      return new ImageTooLargeError(e.pixels ?? 0, e.maxPixels ?? 0);
    case 'UnsupportedImageFormatError':
      return new UnsupportedImageFormatError(e.detected ?? null, e.message);
    case 'InvalidImageError':
      return new InvalidImageError(e.message);
    case 'InvalidModelError':
      return new InvalidModelError(e.message);
  }
  if (e.code) return new InferenceError(e.code, e.message, e.permanent ?? false);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
