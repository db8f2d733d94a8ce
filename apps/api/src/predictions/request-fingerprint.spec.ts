import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('request fingerprints (Idempotency-Key)', () => {
  it('ignore the order of object keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(requestFingerprint({ sha256: 'aa', metadata: { a: 1, b: 2 } })).toBe(
      requestFingerprint({ metadata: { b: 2, a: 1 }, sha256: 'aa' }),
    );
  });

  it('differ for another image or other fields', () => {
    const base = { sha256: 'aa', metadata: { a: 1 }, priority: 'interactive' };
    const fp = requestFingerprint(base);
    expect(requestFingerprint({ ...base, sha256: 'ab' })).not.toBe(fp);
    expect(requestFingerprint({ ...base, metadata: { a: 2 } })).not.toBe(fp);
    expect(requestFingerprint({ ...base, priority: 'bulk' })).not.toBe(fp);
  });
});
