import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnSignals } from '@dermafleet/jobs';
import { assertProvidersAvailable } from '@dermafleet/inference';
import { loadWorkerConfig } from './config/worker.config';
import { createWorkerApp } from './create-worker-app';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // Fail fast, before any connection: a GPU pod without CUDA binaries exits 1 with one sentence.
  if (config.mode !== 'preprocess') assertProvidersAvailable(config.session.executionProviders);
  const app = await createWorkerApp(config);
  exitOnSignals(app, 'Worker');
  await app.listen(config.port, config.host);
  new Logger('Worker').log(`Health and metrics on http://${config.host}:${config.port}`);
}

main().catch((err: Error) => {
  const sentence =
    [
      'ConfigError',
      'StartupError',
      'MissingExecutionProviderError',
      'ModelIntegrityError',
      'ModelDownloadError',
    ].includes(err.name) || err.message.startsWith('Configuration error');
  console.error(sentence ? err.message : err);
  process.exit(1);
});
