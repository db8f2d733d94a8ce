import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface EmbeddedS3 {
  endpoint: string;
  /** s3rver accepts these fixed credentials. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver) for local runs and tests, so storage goes through the same
 * AWS SDK code path as production. Not for production: no auth, incomplete multipart.
 */
export async function startEmbeddedS3(
  directory: string,
  port = 0,
  address = '127.0.0.1',
): Promise<EmbeddedS3> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ port, address, directory, silent: true });
  const info = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${address}:${info.port}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    close: () => server.close(),
  };
}
