import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-errors';

/**
 * Each command's module is loaded only when that command runs: `submit`, `status` and `results`
 * are HTTP clients and must not pay for onnxruntime and sharp (tens of MB of native code and
 * RSS) that only `classify` and `preprocess` use. Help loads them all, to list them.
 */
// require, not import(): the build is CommonJS either way, and when the sources run under tsx's
// CommonJS hook (the tests) a dynamic import() would bypass it and fail on a .ts file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(path: string): T => require(path) as T;
type Module<T> = Record<string, () => T>;

const COMMANDS: Record<string, { hidden?: true; load: () => Command }> = {
  classify: { load: () => load<Module<Command>>('./commands/classify.command').classifyCommand() },
  preprocess: { load: () => load<Module<Command>>('./commands/preprocess.command').preprocessCommand() },
  submit: { load: () => load<Module<Command>>('./commands/submit.command').submitCommand() },
  status: { load: () => load<Module<Command>>('./commands/status.command').statusCommand() },
  results: { load: () => load<Module<Command>>('./commands/results.command').resultsCommand() },
  cancel: { load: () => load<Module<Command>>('./commands/cancel.command').cancelCommand() },
  retry: { load: () => load<Module<Command>>('./commands/retry.command').retryCommand() },
  delete: { load: () => load<Module<Command>>('./commands/delete.command').deleteCommand() },
  'make-model': { load: () => load<Module<Command>>('./commands/make-model.command').makeModelCommand() },
  model: { load: () => load<Module<Command>>('./commands/model.command').modelCommand() },
  'webhook-secret': {
    load: () => load<Module<Command>>('./commands/webhook-secret.command').webhookSecretCommand(),
  },
  dev: { hidden: true, load: () => load<Module<Command>>('./commands/dev.command').devCommand() },
};

async function main(): Promise<void> {
  const program = new Command('dermafleet')
    .description(
      'Classify skin-lesion images with a Vision Transformer, locally or through a dermafleet API.',
    )
    .showHelpAfterError()
    .exitOverride();
  const asked = process.argv[2];
  const names = asked && asked in COMMANDS ? [asked] : Object.keys(COMMANDS);
  for (const name of names) {
    const { hidden, load: build } = COMMANDS[name];
    program.addCommand(build(), hidden ? { hidden } : {});
  }
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Help and version exit 0; anything else commander rejects is a usage error.
    process.exit(err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
  }
  if (err instanceof CliError) {
    process.stderr.write(`dermafleet: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`dermafleet: ${(err as Error).message ?? String(err)}\n`);
  process.exit(ExitCode.Usage);
});
