import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadWorkerConfig } from './config/worker.config';
import { createWorkerApp } from './create-worker-app';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await createWorkerApp(config);
  await app.listen(config.port, config.host);
  new Logger('Worker').log(`Health and metrics on http://${config.host}:${config.port}`);
}

main().catch((err: Error) => {
  console.error(err.name === 'ConfigError' || err.message.startsWith('Configuration error') ? err.message : err);
  process.exit(1);
});
