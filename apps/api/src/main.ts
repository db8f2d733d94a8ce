import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadApiConfig } from './config/api.config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  new Logger('API').log(`Listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
}

main().catch((err: Error) => {
  // One sentence for configuration problems; a stack for anything unexpected.
  console.error(err.name === 'ConfigError' || err.message.startsWith('Configuration error') ? err.message : err);
  process.exit(1);
});
