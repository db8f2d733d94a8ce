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
};
