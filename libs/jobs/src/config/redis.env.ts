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
    .default('compact')
    .describe(
      'compact (the default: 64 B less per record, read by every version since 2026-11-26) or compatible (also read by older ones: for the rollout that upgrades a fleet from before 2026-11-26)',
    ),
};

/**
 * How prediction records are written (both are read). `compact` leaves out what the key or other
 * fields already say. Versions before 2026-11-26 take such a record for a missing one, so a fleet
 * that still runs one rolls to this version with `compatible` first (docs/DEPLOY.md "Upgrading").
 */
export type RecordFormat = 'compatible' | 'compact';
