import { z } from 'zod';
import type { StorageSettings } from './storage.settings';

const url = (what: string) =>
  z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/)
    .describe(`an http(s) URL of ${what} such as http://127.0.0.1:9000`);

const bool = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .describe(description);

/** The S3 part of every app's environment (parsed by the app's config). */
export const storageEnv = {
  S3_ENDPOINT: url('the S3 API').optional(),
  S3_PUBLIC_ENDPOINT: url('the S3 API as clients outside the cluster reach it').optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{2,62}$/)
    .default('dermafleet')
    .describe('an S3 bucket name (3 to 63 lower-case letters, digits, dots or dashes)'),
  S3_REGION: z.string().min(1).default('us-east-1').describe('an AWS region name such as eu-west-1'),
  S3_FORCE_PATH_STYLE: bool('true or false (path-style URLs, needed by MinIO and s3rver)').optional(),
  S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe('an access key id (or unset for the AWS default chain)'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('a secret access key'),
  S3_CREATE_BUCKET: bool('true or false (create the bucket at start when missing)').default(true),
  S3_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe('a number of milliseconds (at least 100) to wait for a connection to S3'),
  S3_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe('a number of milliseconds (at least 100) to wait for an S3 answer'),
};

type StorageEnvOut = {
  S3_ENDPOINT?: string;
  S3_PUBLIC_ENDPOINT?: string;
  S3_BUCKET: string;
  S3_REGION: string;
  S3_FORCE_PATH_STYLE?: boolean;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_CREATE_BUCKET: boolean;
  S3_CONNECT_TIMEOUT_MS: number;
  S3_REQUEST_TIMEOUT_MS: number;
};

/** Credentials come in pairs; without both, the AWS default chain (IRSA, instance profile) is used. */
export function toStorageSettings(env: StorageEnvOut): StorageSettings {
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    throw new Error(
      'Configuration error: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or both unset for the AWS default credential chain).',
    );
  }
  return {
    endpoint: env.S3_ENDPOINT,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
    createBucket: env.S3_CREATE_BUCKET,
    connectTimeoutMs: env.S3_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
  };
}
