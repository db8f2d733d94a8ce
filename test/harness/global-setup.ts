import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoModel } from '../../libs/inference/src/demo-model';
import { findOrStartRedis } from '../../libs/jobs/src/local/local-redis';
import { startEmbeddedS3 } from '../../libs/storage/src/embedded-s3';
import { startContainers } from './containers';
import { setHarness } from './harness-state';

/**
 * Real infrastructure for integration and end-to-end tests: Redis (REDIS_URL, else
 * 127.0.0.1:6379 when it answers, else redis-server from PATH on a free port) and an S3 protocol
 * server (S3_ENDPOINT, else s3rver on a free port over a temp folder), plus the tiny demo model.
 */
export default async function globalSetup(): Promise<void> {
  let stopContainers = async (): Promise<void> => undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'dermafleet-test-'));
  if (process.env.DERMAFLEET_TESTCONTAINERS === '1') {
    const containers = await startContainers();
    process.env.REDIS_URL = containers.redisUrl;
    process.env.S3_ENDPOINT = containers.s3Endpoint;
    process.env.S3_ACCESS_KEY_ID = containers.credentials.accessKeyId;
    process.env.S3_SECRET_ACCESS_KEY = containers.credentials.secretAccessKey;
    stopContainers = () => containers.stop();
  }
  const redis = await findOrStartRedis(process.env.REDIS_URL);
  let s3Endpoint = process.env.S3_ENDPOINT;
  let credentials = {
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? '',
  };
  let closeS3 = async (): Promise<void> => undefined;
  if (!s3Endpoint) {
    const s3 = await startEmbeddedS3(join(scratch, 's3'));
    s3Endpoint = s3.endpoint;
    credentials = s3.credentials;
    closeS3 = () => s3.close();
  }
  const model = await writeDemoModel(join(scratch, 'model-tiny'), { preset: 'tiny' });
  process.env.DF_TEST_REDIS_URL = redis.url;
  process.env.DF_TEST_S3_ENDPOINT = s3Endpoint;
  process.env.DF_TEST_S3_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.DF_TEST_S3_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  process.env.DF_TEST_MODEL_DIR = model.dir;
  process.env.DF_TEST_SCRATCH = scratch;
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  setHarness({
    scratch,
    stop: async () => {
      await closeS3();
      await redis.stop();
      await stopContainers();
    },
  });
  console.log(
    `\n[harness] Redis ${redis.url} (${redis.how}); S3 ${s3Endpoint}; tiny demo model ${model.dir}`,
  );
}
