import {
  envInt,
  loggingEnv,
  parseEnv,
  redisEnv,
  toLogSettings,
  type Env,
  type LogSettings,
  reliabilityEnv,
  type ReliabilitySettings,
  toReliabilitySettings,
  type RecordFormat,
} from '@dermafleet/jobs';
import { storageEnv, toStorageSettings, type StorageSettings } from '@dermafleet/storage';
import { z } from 'zod';
import { dicomEnv, type DicomPatientIdSettings, toDicomSettings } from '../dicom/dicom.env';
import { toWebhookSettings, webhookEnv, type WebhookSettings } from '../webhooks/webhook.env';

const schema = z.object({
  ...redisEnv,
  ...storageEnv,
  ...webhookEnv,
  ...loggingEnv,
  ...reliabilityEnv,
  ...dicomEnv,
  RECONCILE_INTERVAL_MS: envInt('a number of milliseconds (at least 100)', 100).default(5000),
  PORT: envInt('a TCP port number between 0 and 65535', 0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0').describe('an address to listen on, such as 0.0.0.0'),
  API_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[^,:\s]{8,}(,[A-Za-z0-9_-]+:[^,:\s]{8,})*$/)
    .optional()
    .describe(
      'comma-separated tenant:key pairs (tenant names of letters, digits, _ or -; keys of 8+ characters)',
    ),
  API_KEYS_FILE: z.string().min(1).optional().describe('a path to a file of tenant:key lines'),
  MAX_UPLOAD_BYTES: envInt('a number of bytes (at least 1024)', 1024).default(50 * 1024 * 1024),
  MAX_IMAGE_PIXELS: envInt('a number of pixels (at least 16)', 16).default(100_000_000),
  RETENTION_DAYS: envInt('a whole number of days (1 or more)', 1).default(30),
  // S3 refuses presigned URLs valid for more than 7 days.
  UPLOAD_URL_TTL_S: envInt('a number of seconds from 60 to 604800', 60, 604_800).default(3600),
  // Backpressure (docs/DOOR.md): shared through Redis by every API replica.
  RATE_LIMIT_PER_SECOND: envInt('a number of requests per second (at least 1)', 1).default(100),
  AUTH_FAILURES_PER_MINUTE: envInt('a number of failed attempts per minute (at least 1)', 1).default(30),
  QUEUE_MAX_BACKLOG: envInt('a number of waiting jobs (at least 1)', 1).default(100_000),
  ADMIN_API_KEY: z
    .string()
    .min(16)
    .optional()
    .describe("a key of 16+ characters for the operators' dashboard at /admin/queues (absent: no dashboard)"),
  PIPELINE: z
    .enum(['all-in-one', 'split'])
    .default('all-in-one')
    .describe('all-in-one (GPU workers download and preprocess) or split (a CPU preprocessing tier first)'),
});

export type ApiEnv = z.output<typeof schema>;

export interface ApiConfig {
  port: number;
  host: string;
  redisUrl: string;
  keyPrefix: string;
  /** RECORD_FORMAT: how prediction records are written (both are read). */
  recordFormat: RecordFormat;
  storage: StorageSettings;
  apiKeys: string | undefined;
  apiKeysFile: string | undefined;
  maxUploadBytes: number;
  maxImagePixels: number;
  retentionDays: number;
  /** How long a presigned direct-upload URL stays valid. */
  uploadUrlTtlSeconds: number;
  webhooks: WebhookSettings;
  /** Requests per second per tenant; failed auth attempts per minute per client IP. */
  rateLimitPerSecond: number;
  authFailuresPerMinute: number;
  /** Jobs waiting (not yet running) past which new work answers 503 queue_full. */
  queueMaxBacklog: number;
  /** split: new predictions go to the `preprocess` queue (WORKER_MODE=preprocess pods) first. */
  pipeline: 'all-in-one' | 'split';
  logging: LogSettings;
  reliability: ReliabilitySettings;
  /** How often the (leader) reconciler looks for overdue predictions and outbox entries. */
  reconcileIntervalMs: number;
  /** Bull Board at /admin/queues, behind this key; undefined: the route does not exist. */
  adminApiKey: string | undefined;
  /** What a DICOM upload's Patient ID becomes in metadata.dicom (DICOM_PATIENT_ID). */
  dicomPatientId: DicomPatientIdSettings;
}

export const API_CONFIG = Symbol('API_CONFIG');

/** The API's whole configuration, read once from the environment (STYLE.md #4). */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  const e = parseEnv(schema, env);
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    keyPrefix: e.KEY_PREFIX,
    recordFormat: e.RECORD_FORMAT,
    storage: toStorageSettings(e),
    apiKeys: e.API_KEYS,
    apiKeysFile: e.API_KEYS_FILE,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    retentionDays: e.RETENTION_DAYS,
    uploadUrlTtlSeconds: e.UPLOAD_URL_TTL_S,
    webhooks: toWebhookSettings(e),
    pipeline: e.PIPELINE,
    logging: toLogSettings(e),
    rateLimitPerSecond: e.RATE_LIMIT_PER_SECOND,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    queueMaxBacklog: e.QUEUE_MAX_BACKLOG,
    reliability: toReliabilitySettings(e),
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    adminApiKey: e.ADMIN_API_KEY,
    dicomPatientId: toDicomSettings(e),
  };
}
