import type { Prediction } from '@dermafleet/jobs';
import { marksOf, matchesFilter, topMargin } from './prediction-filter';

const labels = ['melanoma', 'nevus', 'random', 'clear skin'];

function prediction(probs: number[] | null, extra: Partial<Prediction> = {}): Prediction {
  const probabilities = (probs ?? []).map((probability, i) => ({ label: labels[i], probability }));
  const top = probabilities.reduce((a, b) => (b.probability > a.probability ? b : a), probabilities[0]);
  return {
    id: 'prd_x',
    status: probs ? 'succeeded' : 'failed',
    created_at: '2026-01-01T00:00:00.000Z',
    completed_at: null,
    batch_id: 'bat_x',
    filename: 'site/IMG_1.jpg',
    metadata: { accession: 'A-17' },
    image: { sha256: 'a', bytes: 1, width: 4, height: 4, format: 'jpeg' },
    result: probs
      ? {
          label: top.label,
          confidence: top.probability,
          probabilities,
          model: { id: 'm', version: 'sha256:x' },
          preprocessing: { mode: 'exact', auto_orient: false },
          cached: false,
        }
      : null,
    error: probs ? null : { code: 'invalid_image', message: 'broken' },
    attempts: 1,
    ...extra,
  };
}

describe('prediction filter', () => {
  it('measures the margin between the first two classes', () => {
    expect(topMargin(prediction([0.5, 0.3, 0.1, 0.1]))).toBeCloseTo(0.2);
    expect(topMargin(prediction([0.1, 0.2, 0.3, 0.4]))).toBeCloseTo(0.1);
    expect(topMargin(prediction(null))).toBeNull();
  });

  it('marks not-a-lesion, low confidence and failed predictions', () => {
    expect(marksOf(prediction([0.1, 0.1, 0.7, 0.1]), 0.1)).toEqual(['not_lesion']);
    expect(marksOf(prediction([0.1, 0.1, 0.1, 0.7]), 0.1)).toEqual(['not_lesion']);
    expect(marksOf(prediction([0.45, 0.4, 0.1, 0.05]), 0.1)).toEqual(['low_confidence']);
    expect(marksOf(prediction([0.45, 0.4, 0.1, 0.05]), 0.01)).toEqual([]);
    expect(marksOf(prediction(null), 0.1)).toEqual(['failed']);
  });

  it('filters by status, label, any of the marks and metadata text', () => {
    const p = prediction([0.1, 0.1, 0.7, 0.1]);
    const none = { marks: [], lowMargin: 0.1 };
    expect(matchesFilter(p, none)).toBe(true);
    expect(matchesFilter(p, { ...none, label: 'random' })).toBe(true);
    expect(matchesFilter(p, { ...none, label: 'melanoma' })).toBe(false);
    expect(matchesFilter(p, { ...none, marks: ['failed', 'not_lesion'] })).toBe(true);
    expect(matchesFilter(p, { ...none, marks: ['failed'] })).toBe(false);
    expect(matchesFilter(p, { ...none, status: 'failed' })).toBe(false);
    expect(matchesFilter(p, { ...none, text: 'a-17' })).toBe(true);
    expect(matchesFilter(p, { ...none, text: 'img_1' })).toBe(true);
    expect(matchesFilter(p, { ...none, text: 'A-18' })).toBe(false);
  });
});
