import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { SyncFilesystemStore } from './embedded-s3-sync-store';

export interface EmbeddedS3 {
  endpoint: string;
  /** s3rver accepts these fixed credentials. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

export interface EmbeddedS3Options {
  /**
   * File operations made synchronous (SyncFilesystemStore): only for a folder in RAM (tmpfs),
   * where they take microseconds; the benchmarks use it so the stand-in's thread-pool hops are
   * not counted against the pipeline.
   */
  syncFileOperations?: boolean;
}

/** What s3rver's handlers log through: nothing, since it runs silent. */
const silentLogger = { info() {}, warn() {}, error() {} };

/** The parts of s3rver (a Koa app) adjusted below, which its published types leave out. */
interface S3rverInternals {
  middleware: Array<{ name: string }>;
  context: { logger: unknown; store: unknown };
  store: unknown;
}

/**
 * A real S3-protocol server (s3rver) for local runs and tests, so storage goes through the same
 * AWS SDK code path as production. Not for production: no auth, incomplete multipart.
 */
export async function startEmbeddedS3(
  directory: string,
  port = 0,
  address = '127.0.0.1',
  options: EmbeddedS3Options = {},
): Promise<EmbeddedS3> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ port, address, directory, silent: true });
  const internals = server as unknown as S3rverInternals;
  // Silent, s3rver still times and formats every request for its request log (koa-logger, which
  // also pipes each streamed body through a byte counter) and every handler's winston message,
  // to print none of them: both are dropped. Nothing visible changes.
  internals.middleware = internals.middleware.filter((middleware) => middleware.name !== 'logger');
  internals.context.logger = silentLogger;
  if (options.syncFileOperations) {
    internals.store = internals.context.store = new SyncFilesystemStore(directory);
  }
  const info = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${address}:${info.port}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    close: () => server.close(),
  };
}
