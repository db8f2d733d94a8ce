/**
 * Optional: Redis and MinIO from testcontainers when a Docker engine exists and
 * DERMAFLEET_TESTCONTAINERS=1 is set. CI machines have no Docker engine, so this path is not
 * exercised in CI (README says so); the default harness uses local Redis and s3rver.
 */
export interface ContainerInfra {
  redisUrl: string;
  s3Endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function startContainers(): Promise<ContainerInfra> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const redis = await new GenericContainer('redis:7').withExposedPorts(6379).start();
  const credentials = { accessKeyId: 'dermafleet', secretAccessKey: 'dermafleet-secret' };
  const minio = await new GenericContainer('minio/minio:latest')
    .withCommand(['server', '/data'])
    .withEnvironment({
      MINIO_ROOT_USER: credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
    })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
    .start();
  return {
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    s3Endpoint: `http://${minio.getHost()}:${minio.getMappedPort(9000)}`,
    credentials,
    stop: async () => {
      await Promise.all([redis.stop(), minio.stop()]);
    },
  };
}
