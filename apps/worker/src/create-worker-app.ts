import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { WorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

/** Builds the worker exactly as production runs it; main.ts and the end-to-end tests share it. */
export async function createWorkerApp(
  config: WorkerConfig,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), {
    logger: logger ?? new Logger(),
    abortOnError: false,
  });
  return app;
}
