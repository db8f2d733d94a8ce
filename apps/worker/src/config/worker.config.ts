import {
  envBoolean,
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
import {
  KNOWN_PROVIDERS,
  threadPlan,
  type ExecutionProviderName,
  type OtherThreadsPriority,
  type SessionSettings,
  type ThreadPlan,
} from '@dermafleet/inference';
import {
  isS3Uri,
  parseS3ModelUri,
  storageEnv,
  toStorageSettings,
  type StorageSettings,
} from '@dermafleet/storage';
import { z } from 'zod';

const providers = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim().toLowerCase()))
  .refine((list) => list.length > 0 && list.every((p) => (KNOWN_PROVIDERS as readonly string[]).includes(p)))
  .describe(`a comma-separated list of ${KNOWN_PROVIDERS.join(', ')} (e.g. cuda,cpu)`);

const schema = z.object({
  ...redisEnv,
  ...storageEnv,
  ...loggingEnv,
  ...reliabilityEnv,
  MAX_WORKER_CRASHES: envInt('a whole number of crashes from 1 to 20', 1, 20).default(2),
  INFERENCE_TIMEOUT_MS: envInt('a number of milliseconds (at least 100)', 100).default(120_000),
  DERMAFLEET_TEST_CRASH_ON_SHA256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe('a sha256 hex digest (tests only: the worker process exits when it reads that image)'),
  PORT: envInt('a TCP port number', 0, 65535).default(3000),
  WORKER_PORT: envInt('a TCP port number between 0 and 65535 (health and metrics)', 0, 65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0').describe('an address to listen on, such as 0.0.0.0'),
  MODEL_DIR: z
    .string()
    .min(1)
    .refine((v) => !isS3Uri(v) || parseS3ModelUri(v) !== null)
    .describe(
      'the path of a model directory (model.onnx, config.json, preprocessor_config.json), or s3://bucket/prefix/ where `dermafleet model push` put one',
    ),
  MODEL_CACHE_DIR: z
    .string()
    .min(1)
    .default('.dermafleet/model-cache/')
    .describe('a folder for models downloaded from S3 (an emptyDir in Kubernetes)'),
  MODEL_ID: z.string().min(1).optional().describe('a model name'),
  WORKER_MODE: z
    .enum(['all-in-one', 'preprocess', 'infer'])
    .default('all-in-one')
    .describe('one of all-in-one, preprocess, infer'),
  BATCH_MAX_SIZE: envInt('a whole number from 1 to 256', 1, 256).default(8),
  BATCH_MAX_DELAY_MS: envInt('a number of milliseconds from 0 to 10000', 0, 10_000).default(10),
  PREFETCH_DEPTH: envInt('a whole number from 0 to 8', 0, 8).default(1),
  ORT_EXECUTION_PROVIDERS: providers.default(['cpu']),
  ORT_DEVICE_ID: envInt('a GPU index (0 or more)', 0).default(0),
  ORT_INTRA_OP_THREADS: envInt('a thread count (0 = one per available core)', 0, 1024).default(0),
  ORT_ALLOW_SPINNING: envBoolean('true or false (let idle onnxruntime threads spin)').default(false),
  PREPROCESS_MODE: z.enum(['exact', 'fast']).default('exact').describe('exact or fast'),
  PREPROCESS_THREADS: envInt('a thread count (0 = one per core)', 0, 256).default(0),
  AUTO_ORIENT: envBoolean('true or false').default(false),
  WORKER_OTHER_THREADS_NICE: envInt('a nice value from 0 (off) to 19', 0, 19).default(10),
  WORKER_OTHER_THREADS_POLICY: z.enum(['idle', 'nice']).default('idle').describe('idle or nice'),
  UV_THREADPOOL_SIZE: envInt('a thread count from 1 to 1024', 1, 1024).optional(),
  MAX_IMAGE_PIXELS: envInt('a number of pixels (at least 16)', 16).default(100_000_000),
  RETENTION_DAYS: envInt('a whole number of days (1 or more)', 1).default(30),
  SHUTDOWN_TIMEOUT_MS: envInt('a number of milliseconds', 0).default(30_000),
  LOCK_DURATION_MS: envInt('a number of milliseconds (at least 1000)', 1000).optional(),
});

export interface WorkerConfig {
  port: number;
  host: string;
  redisUrl: string;
  keyPrefix: string;
  /** RECORD_FORMAT: how prediction records are written (both are read). */
  recordFormat: RecordFormat;
  storage: StorageSettings;
  /** A local folder, or `s3://bucket/prefix/` (downloaded into modelCacheDir and verified first). */
  modelDir: string;
  modelCacheDir: string;
  modelId: string | undefined;
  mode: 'all-in-one' | 'preprocess' | 'infer';
  batch: { maxSize: number; maxDelayMs: number; prefetchDepth: number };
  session: Required<SessionSettings>;
  preprocessing: { mode: 'exact' | 'fast'; autoOrient: boolean; threads: number; maxPixels: number };
  /** Thread counts drawn from the cores the worker really has (cgroup quota), env values first. */
  threads: ThreadPlan;
  /**
   * How every thread but the CPU session's is put below it: SCHED_IDLE ('idle', nice `nice` where
   * that cannot be had) or nice `nice` ('nice'); nice 0 leaves priorities alone.
   */
  otherThreads: OtherThreadsPriority;
  retentionDays: number;
  shutdownTimeoutMs: number;
  lockDurationMs: number | undefined;
  logging: LogSettings;
  reliability: ReliabilitySettings;
  /** A job whose worker died this many times is failed by BullMQ (then worker_crashed). */
  maxWorkerCrashes: number;
  /** A micro-batch's inference (or a preprocessing task) over this is failed and its thread replaced. */
  inferenceTimeoutMs: number;
  /**
   * TEST ONLY, off by default: the worker process exits at once when it reads an image with this
   * sha256, standing in for a native decoder crash or an OOM (the poison-image fault test).
   */
  testCrashOnSha256: string | undefined;
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** The worker's whole configuration, read once from the environment (STYLE.md #4). */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const e = parseEnv(schema, env);
  return {
    port: e.WORKER_PORT ?? e.PORT + 1,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    keyPrefix: e.KEY_PREFIX,
    recordFormat: e.RECORD_FORMAT,
    storage: toStorageSettings(e),
    modelDir: e.MODEL_DIR,
    modelCacheDir: e.MODEL_CACHE_DIR,
    modelId: e.MODEL_ID,
    mode: e.WORKER_MODE,
    batch: { maxSize: e.BATCH_MAX_SIZE, maxDelayMs: e.BATCH_MAX_DELAY_MS, prefetchDepth: e.PREFETCH_DEPTH },
    session: {
      executionProviders: e.ORT_EXECUTION_PROVIDERS as ExecutionProviderName[],
      deviceId: e.ORT_DEVICE_ID,
      intraOpThreads: e.ORT_INTRA_OP_THREADS,
      allowSpinning: e.ORT_ALLOW_SPINNING,
    },
    preprocessing: {
      mode: e.PREPROCESS_MODE,
      autoOrient: e.AUTO_ORIENT,
      threads: e.PREPROCESS_THREADS,
      maxPixels: e.MAX_IMAGE_PIXELS,
    },
    threads: {
      ...threadPlan({ intraOpThreads: e.ORT_INTRA_OP_THREADS, preprocessThreads: e.PREPROCESS_THREADS }),
      ...(e.UV_THREADPOOL_SIZE ? { uvThreadpoolSize: e.UV_THREADPOOL_SIZE } : {}),
    },
    otherThreads: { policy: e.WORKER_OTHER_THREADS_POLICY, nice: e.WORKER_OTHER_THREADS_NICE },
    retentionDays: e.RETENTION_DAYS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    lockDurationMs: e.LOCK_DURATION_MS,
    logging: toLogSettings(e),
    reliability: toReliabilitySettings(e),
    maxWorkerCrashes: e.MAX_WORKER_CRASHES,
    inferenceTimeoutMs: e.INFERENCE_TIMEOUT_MS,
    testCrashOnSha256: e.DERMAFLEET_TEST_CRASH_ON_SHA256,
  };
}
