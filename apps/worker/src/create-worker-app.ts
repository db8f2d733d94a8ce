import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { bootLoggerOptions, useAppLogger } from '@dermafleet/jobs';
import type { WorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

/** Builds the worker exactly as production runs it; main.ts and the end-to-end tests share it. */
export async function createWorkerApp(
  config: WorkerConfig,
  logger?: LoggerService | false,
): Promise<NestExpressApplication> {
  // LOG_FORMAT=json: pino (nestjs-pino) once the app exists; tests may pass their own logger or false.
  const boot = bootLoggerOptions(config.logging);
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), {
    logger: logger ?? boot.logger,
    bufferLogs: logger === undefined && boot.bufferLogs,
    abortOnError: false,
  });
  if (logger === undefined) useAppLogger(app, config.logging);
  return app;
}
