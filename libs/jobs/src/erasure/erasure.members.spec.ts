import {
  againMember,
  imageMember,
  jobMember,
  manifestMember,
  parseErasureMember,
  rmMember,
} from './erasure.members';
import { subjectDigest } from './erasure.repository';

describe('erasure outbox members', () => {
  it('round-trip objects, jobs and images', () => {
    const sha = 'a1'.repeat(32);
    expect(parseErasureMember(rmMember('results/t_a/prd_x.json'))).toEqual({
      kind: 'rm',
      member: 'rm|results/t_a/prd_x.json',
      key: 'results/t_a/prd_x.json',
    });
    expect(parseErasureMember(jobMember('webhooks', 'prediction.succeeded/prd_x'))).toEqual({
      kind: 'job',
      member: 'job|webhooks|prediction.succeeded/prd_x',
      queue: 'webhooks',
      jobId: 'prediction.succeeded/prd_x',
    });
    expect(parseErasureMember(imageMember('t_a', sha))).toEqual({
      kind: 'img',
      member: `img|t_a|${sha}`,
      tenant: 't_a',
      sha256: sha,
    });
  });

  it('name a prediction to take out of its batch manifest, and refuse malformed ones', () => {
    const batch = 'bat_AAAAAAAAAAAAAAAAAAAAAA';
    const id = 'prd_BBBBBBBBBBBBBBBBBBBBBB';
    expect(parseErasureMember(manifestMember('t_a', batch, id, 'succeeded'))).toEqual({
      kind: 'mf',
      member: `mf|t_a|${batch}|${id}|succeeded`,
      tenant: 't_a',
      batchId: batch,
      predictionId: id,
      status: 'succeeded',
    });
    expect(parseErasureMember(`mf|t_a|../x|${id}|succeeded`)).toBeNull();
    expect(parseErasureMember(`mf|t a|${batch}|${id}|succeeded`)).toBeNull();
  });

  it('name a second pass by its token', () => {
    expect(parseErasureMember(againMember('Tok3n_abc-123'))).toEqual({
      kind: 'again',
      member: 'again|Tok3n_abc-123',
      token: 'Tok3n_abc-123',
    });
  });

  it('leave the other outbox members (and malformed ones) to their owners', () => {
    for (const member of [
      'cp|prd_x',
      'ev|batch.completed|t|bat_x|2026',
      'img|t|not-a-sha',
      'rm|a|b',
      'job|q',
    ])
      expect(parseErasureMember(member)).toBeNull();
  });

  it('digest the audit subject per tenant, without the id in it', () => {
    const digest = subjectDigest('t_a', 'bat_0123456789abcdefghij');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digest).not.toBe(subjectDigest('t_b', 'bat_0123456789abcdefghij'));
  });
});
