import { loadApiConfig } from './api.config';

describe('API configuration', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({
      port: 3000,
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'df',
      maxUploadBytes: 50 * 1024 * 1024,
      retentionDays: 30,
      storage: {
        bucket: 'dermafleet',
        region: 'us-east-1',
        forcePathStyle: false,
        credentials: undefined,
        createBucket: true,
      },
    });
  });

  it('reads every documented variable', () => {
    const config = loadApiConfig({
      PORT: '8080',
      REDIS_URL: 'rediss://redis.internal:6380/2',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'derm-archive',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'AKIA',
      S3_SECRET_ACCESS_KEY: 'secret',
      API_KEYS: 'tenant_a:key-aaaaaaaa',
    });
    expect(config.port).toBe(8080);
    expect(config.redisUrl).toBe('rediss://redis.internal:6380/2');
    expect(config.storage).toMatchObject({
      endpoint: 'http://minio:9000',
      bucket: 'derm-archive',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    });
    expect(config.apiKeys).toBe('tenant_a:key-aaaaaaaa');
  });

  it.each([
    [
      { PORT: 'eighty' },
      /^Configuration error: PORT must be a TCP port number between 0 and 65535 \(got "eighty"\)\.$/,
    ],
    [{ PORT: '70000' }, /PORT must be a TCP port number/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ S3_ENDPOINT: 'minio:9000' }, /S3_ENDPOINT must be an http\(s\) URL of the S3 API/],
    [{ S3_BUCKET: 'No_Such' }, /S3_BUCKET must be an S3 bucket name/],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE must be true or false/],
    [{ API_KEYS: 'justakey' }, /API_KEYS must be comma-separated tenant:key pairs/],
    [{ API_KEYS: 'a:short' }, /API_KEYS must be comma-separated tenant:key pairs/],
    [{ S3_ACCESS_KEY_ID: 'AKIA' }, /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together/],
  ])('stops with one sentence naming the variable for %j', (env, message) => {
    expect(() => loadApiConfig(env)).toThrow(message);
  });

  it('treats an empty variable as unset', () => {
    expect(loadApiConfig({ PORT: '' }).port).toBe(3000);
  });
});
