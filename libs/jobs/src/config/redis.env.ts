import { z } from 'zod';

/** The Redis part of every app's environment. */
export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// URL')
    .default('redis://127.0.0.1:6379')
    .describe('a redis:// or rediss:// URL such as redis://127.0.0.1:6379'),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/)
    .default('df')
    .describe('1 to 32 letters, digits, dots, dashes or underscores'),
  RECORD_FORMAT: z
    .enum(['compatible', 'compact'])
    .default('compatible')
    .describe(
      'compatible (readable by every earlier version) or compact (64 B less per record; set it once no replica older than 2026-11 runs)',
    ),
};

/**
 * How prediction records are written (both are read). `compact` leaves out what the key or other
 * fields already say; versions before 2026-11 take such a record for a missing one, so it is
 * switched on once every API and worker replica runs this version or later.
 */
export type RecordFormat = 'compatible' | 'compact';
