import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { InferenceError, InvalidImageError } from '../errors';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { preprocessImage, resizeToModelInput } from './preprocess';
import { UnsupportedImageFormatError } from './preprocess.errors';
import { sharedFixturesDir } from './preprocess.fixtures';
import { PreprocessPool, PreprocessQueueFullError } from './preprocess.pool';
import { syntheticRgb } from './test-images';

const dir = sharedFixturesDir();
const spec = toPreprocessorSpec(
  JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
);
const names = ['dermoscopy_2048x1536.jpg', 'rgba_200x150.png', 'grey_300x400.jpg', 'palette_640x480.png'];
const exact = { mode: 'exact' as const, autoOrient: false };

describe('PreprocessPool', () => {
  let pool: PreprocessPool;
  beforeAll(() => {
    pool = new PreprocessPool({ size: 2 });
  });
  afterAll(() => pool.close());

  it('returns tensors bit-identical to the in-thread function', async () => {
    const images = names.map((n) => readFileSync(join(dir, 'images', n)));
    const pooled = await Promise.all(images.map((b) => pool.preprocess(b, spec, exact)));
    for (let i = 0; i < images.length; i++) {
      const local = await preprocessImage(images[i], spec, exact);
      expect(Buffer.from(pooled[i].data.buffer).equals(Buffer.from(local.data.buffer))).toBe(true);
      expect(pooled[i].source).toEqual(local.source);
    }
  }, 60000);

  it('returns the compact resized bytes bit-identical too', async () => {
    const bytes = readFileSync(join(dir, 'images', names[0]));
    const pooled = await pool.resize(bytes, spec, exact);
    const local = await resizeToModelInput(bytes, spec, exact);
    expect(pooled.rgb).toEqual(local.rgb);
    expect([pooled.width, pooled.height]).toEqual([384, 384]);
  }, 30000);

  it('returns fast-mode results identical to the in-thread function', async () => {
    const bytes = readFileSync(join(dir, 'images', names[0]));
    const fast = { mode: 'fast' as const, autoOrient: false };
    const pooled = await pool.preprocess(bytes, spec, fast);
    const local = await preprocessImage(bytes, spec, fast);
    expect(Buffer.from(pooled.data.buffer).equals(Buffer.from(local.data.buffer))).toBe(true);
  }, 30000);

  it('fails a bad image alone, with its own error class', async () => {
    const good = readFileSync(join(dir, 'images', names[1]));
    const truncated = readFileSync(join(dir, 'images', names[0])).subarray(0, 100000);
    const results = await Promise.allSettled([
      pool.preprocess(good, spec, exact),
      pool.preprocess(Buffer.from('not an image'), spec, exact),
      pool.preprocess(truncated, spec, exact),
      pool.preprocess(good, spec, exact),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(UnsupportedImageFormatError);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidImageError);
  }, 30000);

  it('rejects the task of a thread that dies, then replaces the thread', async () => {
    const src = syntheticRgb(3000, 2000, 11);
    const big = await sharp(Buffer.from(src.rgb), { raw: { width: 3000, height: 2000, channels: 3 } })
      .png()
      .toBuffer();
    const task = pool.preprocess(big, spec, exact);
    const running = pool.threads.length;
    await Promise.all(pool.threads.map((t) => t.terminate()));
    const err = await task.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceError);
    expect((err as InferenceError).message).toMatch(/preprocessing thread died/);
    expect((err as InferenceError).permanent).toBe(false);
    expect(running).toBeGreaterThan(0);
    const after = await pool.preprocess(readFileSync(join(dir, 'images', names[1])), spec, exact);
    expect(after.data.length).toBe(3 * 384 * 384);
  }, 60000);
});

describe('PreprocessPool limits and closing', () => {
  it('refuses work beyond its queue bound', async () => {
    const pool = new PreprocessPool({ size: 1, maxQueue: 1 });
    const bytes = readFileSync(join(dir, 'images', names[1]));
    const first = pool.preprocess(bytes, spec, exact);
    const second = pool.preprocess(bytes, spec, exact);
    await expect(pool.preprocess(bytes, spec, exact)).rejects.toBeInstanceOf(PreprocessQueueFullError);
    await Promise.all([first, second]);
    await pool.close();
  }, 30000);

  it('keeps at least minQueue places whatever its thread count (all a worker may hold at once)', async () => {
    const pool = new PreprocessPool({ size: 1, maxQueue: 1, minQueue: 3 });
    const bytes = readFileSync(join(dir, 'images', names[1]));
    const accepted = [0, 1, 2, 3].map(() => pool.preprocess(bytes, spec, exact)); // one running, three waiting
    await expect(pool.preprocess(bytes, spec, exact)).rejects.toBeInstanceOf(PreprocessQueueFullError);
    await expect(Promise.all(accepted)).resolves.toHaveLength(4);
    await pool.close();
  }, 30000);

  it('finishes accepted work on close, refuses new work, and closes twice safely', async () => {
    const pool = new PreprocessPool({ size: 1 });
    const task = pool.preprocess(readFileSync(join(dir, 'images', names[1])), spec, exact);
    const closing = pool.close();
    await expect(pool.preprocess(Buffer.alloc(4), spec, exact)).rejects.toThrow(/closed/);
    await expect(task).resolves.toBeDefined();
    await closing;
    await pool.close();
    expect(pool.threads).toHaveLength(0);
  }, 30000);

  it('fails a task over its time limit (transient) and replaces its thread', async () => {
    const limited = new PreprocessPool({ size: 1, taskTimeoutMs: 1 });
    try {
      const bytes = readFileSync(join(dir, 'images', names[0]));
      const err = await limited.preprocess(bytes, spec, exact).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InferenceError);
      expect((err as InferenceError).permanent).toBe(false);
      expect((err as Error).message).toMatch(/longer than 1 ms; thread replaced/);
      expect(limited.pending).toBe(0);
    } finally {
      await limited.close();
    }
  }, 60000);
});
