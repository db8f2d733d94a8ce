import type { Prediction } from '@dermafleet/jobs';
import { resultsWriters } from './results-formats';

const base: Prediction = {
  id: 'prd_0123456789abcdefghijkl',
  status: 'succeeded',
  created_at: '2026-11-26T17:00:00.000Z',
  completed_at: '2026-11-26T17:00:01.000Z',
  batch_id: 'bat_x',
  filename: 'a.jpg',
  metadata: {},
  image: { sha256: 'ab'.repeat(32), bytes: 10, width: 4, height: 4, format: 'jpeg' },
  result: {
    label: 'nevus',
    confidence: 0.75,
    probabilities: [
      { label: 'melanoma', probability: 0.25 },
      { label: 'nevus', probability: 0.75 },
    ],
    model: { id: 'm', version: 'sha256:00' },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: false,
  },
  error: null,
  attempts: 1,
};

describe('results writers', () => {
  const fhir = resultsWriters['fhir-ndjson'];

  it('fhir-ndjson: one Observation line per succeeded prediction, as application/fhir+ndjson', () => {
    expect(fhir.contentType).toMatch(/^application\/fhir\+ndjson/);
    const line = fhir.line(base, []);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      resourceType: 'Observation',
      identifier: [{ value: base.id }],
    });
  });

  it('fhir-ndjson: leaves out predictions without a result (queued, processing, failed)', () => {
    for (const status of ['queued', 'processing'] as const)
      expect(fhir.line({ ...base, status, result: null, completed_at: null }, [])).toBe('');
    const failed: Prediction = {
      ...base,
      status: 'failed',
      result: null,
      error: { code: 'invalid_image', message: 'broken' },
    };
    expect(fhir.line(failed, [])).toBe('');
  });

  it('ndjson and csv keep every prediction, as before', () => {
    expect(JSON.parse(resultsWriters.ndjson.line(base, []))).toEqual(base);
    expect(resultsWriters.csv.header!(['melanoma', 'nevus'])).toContain('melanoma,nevus');
    expect(resultsWriters.csv.line({ ...base, status: 'queued', result: null }, ['melanoma'])).toContain(
      'queued',
    );
  });
});
