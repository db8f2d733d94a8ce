import { InferenceError, type PreprocessingSettings, type ResizedImage } from '@dermafleet/inference';

/**
 * The prepared model input as it travels between the tiers through S3: the body is the resized
 * image's RGB bytes (HWC, 8 bits: 384*384*3 = 432 KiB, a tenth of its float32 tensor), and the
 * object's metadata says its size and how it was prepared, so the GPU tier can check it and
 * report the preprocessing that really happened.
 */
export interface ModelInputObject {
  body: Uint8Array;
  metadata: Record<string, string>;
}

export interface DecodedModelInput {
  resized: ResizedImage;
  preprocessing: PreprocessingSettings;
}

const LAYOUT = 'rgb8-hwc';

export function encodeModelInput(
  resized: ResizedImage,
  preprocessing: PreprocessingSettings,
): ModelInputObject {
  return {
    body: resized.rgb,
    metadata: {
      layout: LAYOUT,
      width: String(resized.width),
      height: String(resized.height),
      'preprocess-mode': preprocessing.mode,
      'auto-orient': String(preprocessing.autoOrient),
      'source-width': String(resized.source.width),
      'source-height': String(resized.source.height),
      'source-format': resized.source.format,
    },
  };
}

function corrupt(why: string): InferenceError {
  // Transient: the object is ours, written by the preprocessing tier; retries may find it whole.
  return new InferenceError('inference_failed', `The prepared model input is unusable: ${why}.`, false);
}

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw corrupt(`its ${name} metadata is ${JSON.stringify(value)}`);
  return n;
}

export function decodeModelInput(bytes: Uint8Array, metadata: Record<string, string>): DecodedModelInput {
  if (metadata.layout !== LAYOUT)
    throw corrupt(`its layout is ${JSON.stringify(metadata.layout)}, not ${LAYOUT}`);
  const width = positiveInt(metadata.width, 'width');
  const height = positiveInt(metadata.height, 'height');
  if (bytes.length !== width * height * 3) throw corrupt(`${bytes.length} bytes for ${width}x${height} RGB`);
  const mode = metadata['preprocess-mode'];
  if (mode !== 'exact' && mode !== 'fast') throw corrupt(`its preprocess-mode is ${JSON.stringify(mode)}`);
  return {
    resized: {
      rgb: bytes,
      width,
      height,
      source: {
        width: Number(metadata['source-width']) || 0,
        height: Number(metadata['source-height']) || 0,
        format: metadata['source-format'] ?? '',
      },
    },
    preprocessing: { mode, autoOrient: metadata['auto-orient'] === 'true' },
  };
}
