import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnSignals } from '@dermafleet/jobs';
import { loadApiConfig } from './config/api.config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  exitOnSignals(app, 'API');
  await app.listen(config.port, config.host);
  new Logger('API').log(`Listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
}

main().catch((err: Error) => {
  // One sentence for configuration problems; a stack for anything unexpected.
  const sentence =
    ['ConfigError', 'StartupError'].includes(err.name) || err.message.startsWith('Configuration error');
  console.error(sentence ? err.message : err);
  process.exit(1);
});
