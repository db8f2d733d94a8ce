import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-errors';
import { classifyCommand } from './commands/classify.command';
import { devCommand } from './commands/dev.command';
import { makeModelCommand } from './commands/make-model.command';
import { modelCommand } from './commands/model.command';
import { preprocessCommand } from './commands/preprocess.command';
import { resultsCommand } from './commands/results.command';
import { statusCommand } from './commands/status.command';
import { submitCommand } from './commands/submit.command';
import { webhookSecretCommand } from './commands/webhook-secret.command';

const program = new Command('dermafleet')
  .description('Classify skin-lesion images with a Vision Transformer, locally or through a dermafleet API.')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(classifyCommand());
program.addCommand(preprocessCommand());
program.addCommand(submitCommand());
program.addCommand(statusCommand());
program.addCommand(resultsCommand());
program.addCommand(makeModelCommand());
program.addCommand(modelCommand());
program.addCommand(webhookSecretCommand());
program.addCommand(devCommand(), { hidden: true });

program.parseAsync(process.argv).catch((err: unknown) => {
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
