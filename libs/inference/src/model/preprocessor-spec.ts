import { z } from 'zod';

/**
 * preprocessor_config.json as Hugging Face's ViTImageProcessor writes it. Only the fields the
 * reference pipeline uses are read; unknown fields are ignored. Defaults are transformers' own
 * ViTImageProcessor defaults, so a sparse file behaves as it does in Python.
 */
export const preprocessorConfigSchema = z.object({
  size: z
    .union([
      z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
      z.number().int().positive(),
    ])
    .default({ height: 224, width: 224 }),
  do_resize: z.boolean().default(true),
  resample: z.number().int().min(0).max(5).default(2),
  do_rescale: z.boolean().default(true),
  rescale_factor: z
    .number()
    .positive()
    .default(1 / 255),
  do_normalize: z.boolean().default(true),
  image_mean: z.array(z.number()).length(3).default([0.5, 0.5, 0.5]),
  image_std: z.array(z.number().positive()).length(3).default([0.5, 0.5, 0.5]),
});

/** What preprocessing needs, in our own camelCase form, read from preprocessor_config.json. */
export interface PreprocessorSpec {
  height: number;
  width: number;
  doResize: boolean;
  /** PIL resampling code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
  resample: number;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export function toPreprocessorSpec(raw: unknown): PreprocessorSpec {
  const cfg = preprocessorConfigSchema.parse(raw);
  const size = typeof cfg.size === 'number' ? { height: cfg.size, width: cfg.size } : cfg.size;
  return {
    height: size.height,
    width: size.width,
    doResize: cfg.do_resize,
    resample: cfg.resample,
    doRescale: cfg.do_rescale,
    rescaleFactor: cfg.rescale_factor,
    doNormalize: cfg.do_normalize,
    mean: [cfg.image_mean[0], cfg.image_mean[1], cfg.image_mean[2]],
    std: [cfg.image_std[0], cfg.image_std[1], cfg.image_std[2]],
  };
}
