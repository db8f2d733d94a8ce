import { z } from 'zod';

export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** json: one pino line per event (production); pretty: Nest's readable console lines (npm start). */
  format: LogFormat;
}

/** The logging part of every app's environment. */
export const loggingEnv = {
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('one of trace, debug, info, warn, error, fatal, silent'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe('json (one JSON line per event) or pretty (readable lines)'),
  NODE_ENV: z.string().optional(),
};

/** JSON by default in production (NODE_ENV=production, as the container images set); readable otherwise. */
export function toLogSettings(env: {
  LOG_LEVEL: LogSettings['level'];
  LOG_FORMAT?: LogFormat;
  NODE_ENV?: string;
}): LogSettings {
  return {
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
  };
}
