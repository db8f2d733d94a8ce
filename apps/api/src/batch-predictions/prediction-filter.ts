import type { Prediction, PredictionStatus } from '@dermafleet/jobs';

/**
 * Labels that mean "no lesion assessment possible" (README "Reading results"): `random` is not a
 * skin image, `clear skin` has no lesion in view. They are the skin-lesion model's own label names.
 */
export const NOT_A_LESION_LABELS: readonly string[] = ['random', 'clear skin'];

export const predictionMarks = ['not_lesion', 'low_confidence', 'failed'] as const;
export type PredictionMark = (typeof predictionMarks)[number];

export interface PredictionFilter {
  status?: PredictionStatus;
  /** Top label, exactly. */
  label?: string;
  /** Any of these marks (empty: no mark filter). */
  marks: PredictionMark[];
  /** low_confidence: first minus second probability under this. */
  lowMargin: number;
  /** Case-insensitive text in the filename or the metadata (an accession number, say). */
  text?: string;
}

/** Probability of the top class minus the runner-up's; null without a result. */
export function topMargin(prediction: Prediction): number | null {
  const probs = prediction.result?.probabilities.map((p) => p.probability) ?? [];
  if (probs.length < 2) return null;
  let first = -Infinity;
  let second = -Infinity;
  for (const p of probs) {
    if (p > first) [first, second] = [p, first];
    else if (p > second) second = p;
  }
  return first - second;
}

export function marksOf(prediction: Prediction, lowMargin: number): PredictionMark[] {
  const marks: PredictionMark[] = [];
  if (prediction.status === 'failed') marks.push('failed');
  const result = prediction.result;
  if (result && NOT_A_LESION_LABELS.includes(result.label)) marks.push('not_lesion');
  const margin = topMargin(prediction);
  if (margin !== null && margin < lowMargin) marks.push('low_confidence');
  return marks;
}

export function matchesFilter(prediction: Prediction, filter: PredictionFilter): boolean {
  if (filter.status && prediction.status !== filter.status) return false;
  if (filter.label !== undefined && prediction.result?.label !== filter.label) return false;
  if (filter.marks.length) {
    const marks = marksOf(prediction, filter.lowMargin);
    if (!filter.marks.some((m) => marks.includes(m))) return false;
  }
  if (filter.text) {
    const haystack = `${prediction.filename ?? ''} ${JSON.stringify(prediction.metadata)}`.toLowerCase();
    if (!haystack.includes(filter.text.toLowerCase())) return false;
  }
  return true;
}
