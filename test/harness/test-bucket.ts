import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { appEnv, infra } from './test-env';

/**
 * The S3 bucket of a test's key prefix (the apps it starts use it), with a client of its own: what
 * erasure and crash tests list to see what is stored.
 */
export function testBucket(prefix: string) {
  const i = infra();
  const bucket = appEnv(prefix).S3_BUCKET;
  const s3 = new S3Client({
    endpoint: i.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: i.s3AccessKeyId, secretAccessKey: i.s3SecretAccessKey },
  });
  return {
    bucket,
    s3,
    /** Every object key in the bucket, all pages. */
    async keys(): Promise<string[]> {
      const found: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) found.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found;
    },
    /** One object's JSON. */
    async getJson(key: string): Promise<unknown> {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse(await (res.Body as { transformToString(): Promise<string> }).transformToString());
    },
    destroy: () => s3.destroy(),
  };
}
