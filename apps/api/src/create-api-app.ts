import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './api.module';
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
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('dermafleet')
      .setDescription('Skin-lesion image classification (ViT) as a queue-driven fleet. See CONTRACT.md.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
