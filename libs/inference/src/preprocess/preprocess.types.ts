/** `exact` reproduces PIL + ViTImageProcessor bit for bit; `fast` lets libvips shrink-on-load. */
export type PreprocessMode = 'exact' | 'fast';

export interface PreprocessOptions {
  mode: PreprocessMode;
  /** Apply EXIF orientation. The reference does not, so the default is false. */
  autoOrient: boolean;
  /** Refuse images whose header declares more pixels than this (decompression bombs). */
  maxPixels?: number;
}

/** The source image as its header describes it. */
export interface SourceImageInfo {
  width: number;
  height: number;
  format: string;
}

/** The model's input for one image: RGB, resized, HWC bytes (compact: 384*384*3 = 442 KiB). */
export interface ResizedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
  source: SourceImageInfo;
}

/** The tensor the model receives for one image: float32, CHW (3 * height * width). */
export interface PreprocessedImage {
  data: Float32Array;
  width: number;
  height: number;
  source: SourceImageInfo;
}
