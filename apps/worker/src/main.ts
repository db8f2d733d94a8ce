import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnSignals } from '@dermafleet/jobs';
import { assertProvidersAvailable } from '@dermafleet/inference';
import { loadWorkerConfig } from './config/worker.config';
import { createWorkerApp } from './create-worker-app';
import { prioritiseSession } from './inference/session-priority';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // libuv reads this once, when its pool first starts (nothing has used it yet): every sharp call
  // of every preprocessing thread runs there, so it must not be the bottleneck nor far too big.
  process.env.UV_THREADPOOL_SIZE = String(config.threads.uvThreadpoolSize);
  // Fail fast, before any connection: a GPU pod without CUDA binaries exits 1 with one sentence.
  if (config.mode !== 'preprocess') assertProvidersAvailable(config.session.executionProviders);
  const app = await createWorkerApp(config);
  exitOnSignals(app, 'Worker');
  await app.listen(config.port, config.host); // the model is loaded and warmed by now
  prioritiseSession(app, config);
  new Logger('Worker').log(`Health and metrics on http://${config.host}:${config.port}`);
}

main().catch((err: Error) => {
  const sentence =
    ['ConfigError', 'StartupError', 'MissingExecutionProviderError'].includes(err.name) ||
    err.message.startsWith('Configuration error');
  console.error(sentence ? err.message : err);
  process.exit(1);
});
