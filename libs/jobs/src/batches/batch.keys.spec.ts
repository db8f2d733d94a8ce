import type { PredictionResult } from '../prediction.types';
import { encodeResult } from '../records/record-codec';
import { RedisKeys } from '../redis-keys';
import { BatchKeys } from './batch.keys';

const keys = new BatchKeys(new RedisKeys('df'));
const sha = 'ab'.repeat(32);

function result(mode: 'exact' | 'fast', autoOrient: boolean, label = 'nevus'): PredictionResult {
  return {
    label,
    confidence: 0.75,
    probabilities: [
      { label: 'melanoma', probability: 0.25 },
      { label: 'nevus', probability: 0.75 },
    ],
    model: { id: 'm', version: `sha256:${'c'.repeat(64)}` },
    preprocessing: { mode, auto_orient: autoOrient },
    cached: false,
  };
}

describe('BatchKeys.dedupeOfResult (erasure finds the dedupe entry a stored result wrote)', () => {
  it.each([
    ['exact', false],
    ['exact', true],
    ['fast', false],
    ['fast', true],
  ] as const)('names the key FINISH wrote, from the compact result (%s, auto_orient %s)', (mode, auto) => {
    const r = result(mode, auto);
    expect(keys.dedupeOfResult('tenant_a', sha, encodeResult(r))).toBe(
      keys.dedupe('tenant_a', sha, r.model.version, mode, auto),
    );
  });

  it('reads a result kept as JSON too, and names nothing without a result', () => {
    const r = result('exact', false, 'melanoma'); // not the arg-max: stays JSON
    expect(encodeResult(r).startsWith('{')).toBe(true);
    expect(keys.dedupeOfResult('tenant_a', sha, encodeResult(r))).toBe(
      keys.dedupe('tenant_a', sha, r.model.version, 'exact', false),
    );
    expect(keys.dedupeOfResult('tenant_a', sha, null)).toBeNull();
  });
});
