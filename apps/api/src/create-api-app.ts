import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { bootLoggerOptions, useAppLogger } from '@dermafleet/jobs';
import { ApiModule } from './api.module';
import { contractRegistry } from './openapi/contract.paths';
import type { ApiConfig } from './config/api.config';
import { ErrorBodyFilter } from './errors/error-body.filter';
import { stampReceivedAt } from './http/received-at';
import { securityHeaders } from './http/security-headers';
import { applyServerTimeouts } from './http/server-timeouts';
import { startApiMetrics } from './metrics/api.metrics';
import { mountBullBoard } from './admin/bull-board.mount';
import { mountViewer } from './viewer/viewer.static';

/** Builds the API exactly as production runs it; main.ts and the end-to-end tests share it. */
export async function createApiApp(
  config: ApiConfig,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  startApiMetrics();
  // LOG_FORMAT=json: pino (nestjs-pino) once the app exists; tests may pass their own logger or false.
  const boot = bootLoggerOptions(config.logging);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: logger ?? boot.logger,
    bufferLogs: logger === undefined && boot.bufferLogs,
    // Throw start-up errors to our caller (main prints one sentence) instead of exiting inside Nest.
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(stampReceivedAt);
  app.use(securityHeaders);
  applyServerTimeouts(app.getHttpServer());
  if (logger === undefined) useAppLogger(app, config.logging);
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useBodyParser('json', { limit: '1mb' });
  mountViewer(app);
  if (config.adminApiKey) mountBullBoard(app, config.adminApiKey);
  // Generated from the zod schemas the controllers validate with (openapi/contract.paths.ts).
  const document = contractRegistry().document() as OpenAPIObject;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
