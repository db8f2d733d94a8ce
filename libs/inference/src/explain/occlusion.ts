import type { ClassificationResult } from '../model/classification';

export interface OcclusionSettings {
  /** Patches per side (12 for a 384x384 input: 32x32 patches, the ViT's own patch size). */
  grid: number;
  /** Model input size, CHW with 3 channels. */
  height: number;
  width: number;
  /** Occluded variants in flight at once (bounds memory: each is a full input tensor). */
  inFlight: number;
}

export interface OcclusionMap {
  /** The class explained: the top class of the unoccluded image. */
  label: string;
  labelIndex: number;
  /** Its probability on the unoccluded image. */
  baseline: number;
  /** map[row][col]: baseline minus the probability with that patch occluded (negative: it rose). */
  map: number[][];
}

/**
 * Occlusion sensitivity (Zeiler & Fergus 2014): classify the image once as is, then once per
 * patch with that patch replaced, and record how much the top class's probability drops.
 *
 * The fill is 0 in normalised space, i.e. the dataset mean colour (x - mean) / std = 0: a flat
 * "average grey" patch, the usual neutral choice. It is not "no information" (a flat patch is
 * itself a feature the model may react to); docs/EXPLANATIONS.md says what that means.
 *
 * `classify` is the worker's ordinary micro-batched path, so the variants share batches and the
 * one session with everything else (at whatever priority the caller gives them).
 */
export async function occlusionMap(
  pixels: Float32Array,
  classify: (pixels: Float32Array) => Promise<ClassificationResult>,
  settings: OcclusionSettings,
): Promise<OcclusionMap> {
  const { grid, height, width } = settings;
  if (pixels.length !== 3 * height * width) throw new RangeError('pixels must be one [3, H, W] input');
  const base = await classify(pixels);
  const labelIndex = base.probabilities.findIndex((p) => p.label === base.label);
  const baseline = base.probabilities[labelIndex].probability;
  const map = Array.from({ length: grid }, () => new Array<number>(grid).fill(0));
  const cells = Array.from({ length: grid * grid }, (_, i) => i);
  for (let start = 0; start < cells.length; start += settings.inFlight) {
    const chunk = cells.slice(start, start + settings.inFlight);
    const results = await Promise.all(chunk.map((cell) => classify(occlude(pixels, cell, settings))));
    results.forEach((result, i) => {
      const cell = chunk[i];
      map[Math.floor(cell / grid)][cell % grid] = baseline - result.probabilities[labelIndex].probability;
    });
  }
  return { label: base.label, labelIndex, baseline, map };
}

/** A copy of the input with one patch set to 0 in every channel (rows and columns split evenly). */
export function occlude(pixels: Float32Array, cell: number, settings: OcclusionSettings): Float32Array {
  const { grid, height, width } = settings;
  const row = Math.floor(cell / grid);
  const col = cell % grid;
  const y0 = Math.floor((row * height) / grid);
  const y1 = Math.floor(((row + 1) * height) / grid);
  const x0 = Math.floor((col * width) / grid);
  const x1 = Math.floor(((col + 1) * width) / grid);
  const out = new Float32Array(pixels);
  for (let c = 0; c < 3; c++) {
    for (let y = y0; y < y1; y++)
      out.fill(0, c * height * width + y * width + x0, c * height * width + y * width + x1);
  }
  return out;
}
