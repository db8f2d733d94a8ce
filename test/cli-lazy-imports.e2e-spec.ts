import { join } from 'node:path';
import { runCli } from './harness/cli';

const PRELOAD = join(__dirname, 'harness', 'loaded-modules.preload.cjs');

async function loadedBy(args: string[]): Promise<{ onnxruntime: boolean; sharp: boolean }> {
  const run = await runCli(args, { env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
  expect(run.stdout).toContain(`Usage: dermafleet ${args[0]}`); // the command itself loaded and ran
  const line = /^LOADED (.*)$/m.exec(run.stderr)?.[1];
  if (!line) throw new Error(`no module report from dermafleet ${args.join(' ')}:\n${run.stderr}`);
  return JSON.parse(line) as { onnxruntime: boolean; sharp: boolean };
}

/** The HTTP-client commands start without onnxruntime or sharp (memory and start-up time of a huge submit). */
describe('dermafleet loads onnxruntime only where it runs a model', () => {
  it.each([['submit'], ['status'], ['results']])('%s does not load onnxruntime or sharp', async (command) => {
    expect(await loadedBy([command, '--help'])).toEqual({ onnxruntime: false, sharp: false });
  });

  it('classify does, and the full help still lists every command', async () => {
    expect((await loadedBy(['classify', '--help'])).onnxruntime).toBe(true);
    const help = await runCli(['--help']);
    for (const command of ['classify', 'preprocess', 'submit', 'status', 'results', 'make-model'])
      expect(help.stdout).toContain(command);
  });
});
