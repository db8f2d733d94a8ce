import type { Prediction } from './types.js';

/** Same rules as the API's filter (apps/api/src/batch-predictions/prediction-filter.ts). */
export const NOT_A_LESION = ['random', 'clear skin'];

export type Mark = 'not_lesion' | 'low_confidence' | 'failed';

export const MARK_TEXT: Record<Mark, string> = {
  not_lesion: 'not a lesion',
  low_confidence: 'low confidence',
  failed: 'failed',
};

export function margin(p: Prediction): number | null {
  const probs = (p.result?.probabilities ?? []).map((x) => x.probability).sort((a, b) => b - a);
  return probs.length >= 2 ? probs[0] - probs[1] : null;
}

export function marksOf(p: Prediction, lowMargin: number): Mark[] {
  const marks: Mark[] = [];
  if (p.status === 'failed') marks.push('failed');
  if (p.result && NOT_A_LESION.includes(p.result.label)) marks.push('not_lesion');
  const m = margin(p);
  if (m !== null && m < lowMargin) marks.push('low_confidence');
  return marks;
}

const MARGIN_KEY = 'dermafleet.lowMargin';

/** The low-confidence threshold the user set (this tab), so the image page marks what the grid marked. */
export function savedMargin(): number {
  const value = Number(sessionStorage.getItem(MARGIN_KEY) ?? '0.1');
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 0.1;
}

export function saveMargin(value: number): void {
  sessionStorage.setItem(MARGIN_KEY, String(value));
}
