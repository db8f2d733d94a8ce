import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness/cli';
import { fixturesDir } from './harness/test-env';

const PRELOAD = join(__dirname, 'harness', 'loaded-modules.preload.cjs');

interface Loaded {
  onnxruntime: boolean;
  sharp: boolean;
  s3Client: boolean;
  bullmq: boolean;
  nest: boolean;
}

async function report(
  args: string[],
): Promise<{ loaded: Loaded; stdout: string; stderr: string; code: number | null }> {
  const run = await runCli(args, { env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
  const line = /^LOADED (.*)$/m.exec(run.stderr)?.[1];
  if (!line) throw new Error(`no module report from dermafleet ${args.join(' ')}:\n${run.stderr}`);
  return { loaded: JSON.parse(line) as Loaded, stdout: run.stdout, stderr: run.stderr, code: run.code };
}

async function loadedBy(args: string[]): Promise<Loaded> {
  const run = await report(args);
  expect(run.stdout).toContain(`Usage: dermafleet ${args[0]}`); // the command itself loaded and ran
  return run.loaded;
}

/**
 * The HTTP-client commands start without onnxruntime or sharp (memory and start-up time of a huge
 * submit); `preprocess` without onnxruntime and the server-side stack (start-up was 0.65 s of CPU
 * with them, 0.2 s without).
 */
describe('dermafleet loads onnxruntime only where it runs a model', () => {
  it.each([['submit'], ['status'], ['results']])('%s does not load onnxruntime or sharp', async (command) => {
    expect(await loadedBy([command, '--help'])).toMatchObject({ onnxruntime: false, sharp: false });
  });

  it('preprocess of a local image loads sharp, but not onnxruntime, the S3 client, BullMQ or Nest', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-lazy-'));
    try {
      const image = join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg');
      const run = await report([
        'preprocess',
        '--model',
        join(fixturesDir, 'model'),
        image,
        '--out-dir',
        out,
      ]);
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      expect(readdirSync(out)).toHaveLength(1); // the tensor was written: the command really ran
      expect(run.loaded).toEqual({
        onnxruntime: false,
        sharp: true,
        s3Client: false,
        bullmq: false,
        nest: false,
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('classify does, and the full help still lists every command', async () => {
    expect((await loadedBy(['classify', '--help'])).onnxruntime).toBe(true);
    const help = await runCli(['--help']);
    for (const command of ['classify', 'preprocess', 'submit', 'status', 'results', 'make-model'])
      expect(help.stdout).toContain(command);
  });
});
