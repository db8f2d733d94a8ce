import type { INestApplication, LoggerService } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { LogSettings } from './logging.env';

/**
 * The logger to hand NestFactory.create: buffered until the app exists in JSON mode (so even the
 * start-up lines are JSON), Nest's console logger at LOG_LEVEL in pretty mode.
 */
export function bootLoggerOptions(settings: LogSettings): {
  logger: LoggerService | false | LogLevelList;
  bufferLogs: boolean;
} {
  if (settings.format === 'json') return { logger: PRETTY_LEVELS.info, bufferLogs: true };
  return { logger: PRETTY_LEVELS[settings.level], bufferLogs: false };
}

type LogLevelList = Array<'verbose' | 'debug' | 'log' | 'warn' | 'error' | 'fatal'>;

const PRETTY_LEVELS: Record<LogSettings['level'], LogLevelList | false> = {
  trace: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  fatal: ['fatal'],
  silent: false,
};

/** In JSON mode, every Nest log line from now on (and the buffered ones) goes through pino. */
export function useAppLogger(app: INestApplication, settings: LogSettings): void {
  if (settings.format === 'json') app.useLogger(app.get(PinoNestLogger));
}
