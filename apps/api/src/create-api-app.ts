import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './api.module';
import { contractRegistry } from './openapi/contract.paths';
import type { ApiConfig } from './config/api.config';
import { ErrorBodyFilter } from './errors/error-body.filter';
import { startApiMetrics } from './metrics/api.metrics';
import { mountBullBoard } from './admin/bull-board.mount';
import { mountViewer } from './viewer/viewer.static';

/** Builds the API exactly as production runs it; main.ts and the end-to-end tests share it. */
export async function createApiApp(
  config: ApiConfig,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  startApiMetrics();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: logger ?? new Logger(),
    bufferLogs: false,
    // Throw start-up errors to our caller (main prints one sentence) instead of exiting inside Nest.
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useBodyParser('json', { limit: '1mb' });
  mountViewer(app);
  if (config.adminApiKey) mountBullBoard(app, config.adminApiKey);
  // Generated from the zod schemas the controllers validate with (openapi/contract.paths.ts).
  const document = contractRegistry().document() as OpenAPIObject;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
