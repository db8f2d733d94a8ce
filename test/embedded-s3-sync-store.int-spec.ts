import { accessSync, constants, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmbeddedS3, type EmbeddedS3 } from '../libs/storage/src/embedded-s3';
import { SyncFilesystemStore } from '../libs/storage/src/embedded-s3-sync-store';
import { ObjectStore } from '../libs/storage/src/object-store';

/** A RAM folder where the machine has one: the only place the bench uses the synchronous store. */
function scratchParent(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Every folder and file under a folder, with the bytes of each file (names relative to it). */
function tree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        files[relative(root, path)] = 'a folder';
        walk(path);
      } else files[relative(root, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return files;
}

interface Answers {
  head: unknown;
  bytes: string | null;
  streamed: string | null;
  copied: unknown;
  ranged: { status: number; range: string | null; etag: string | null; body: string };
  beyondTheEnd: number;
  empty: unknown;
  md5Recreated: unknown;
  listed: unknown;
  etagOfWhole: string | null;
  afterDelete: unknown;
  missing: unknown;
}

/**
 * The same requests through the same client against s3rver's stock store and the benchmarks'
 * synchronous one (SyncFilesystemStore): the same answers, and the same files left on disk.
 */
async function exercise(s3: EmbeddedS3, dir: string): Promise<Answers> {
  const store = new ObjectStore({
    endpoint: s3.endpoint,
    bucket: 'same-bucket',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3.credentials,
    createBucket: true,
  });
  try {
    await store.ensureBucket();
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    await store.put('images/t/one', bytes, { contentType: 'image/jpeg', metadata: { sha256: 'abc' } });
    await store.put('deep/a/b/streamed', Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      contentLength: 4,
    });
    await store.put('deep/a/b/removed', 'gone soon');
    await store.put('deep/a/c/kept', 'stays');
    await store.put('empty/zero', Buffer.alloc(0));
    // An object whose md5 file went missing: both stores hash it again on the next read.
    unlinkSync(join(dir, 'same-bucket', 'deep', 'a', 'c', 'kept._S3rver_object.md5'));
    await store.copy('images/t/one', 'copies/one');
    const presigned = await store.presignGet('images/t/one', 60);
    const whole = await fetch(presigned.url);
    await whole.arrayBuffer();
    const partial = await fetch(presigned.url, { headers: { range: 'bytes=10-19' } });
    const ranged = {
      status: partial.status,
      range: partial.headers.get('content-range'),
      etag: partial.headers.get('etag'),
      body: Buffer.from(await partial.arrayBuffer()).toString('hex'),
    };
    const beyond = await fetch(presigned.url, { headers: { range: 'bytes=6000-' } });
    await beyond.arrayBuffer();
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    const listing = await client.send(new ListObjectsCommand({ Bucket: 'same-bucket', Prefix: 'deep/' }));
    client.destroy();
    const answers: Answers = {
      head: await store.head('images/t/one'),
      bytes: (await store.getBuffer('images/t/one'))?.toString('hex') ?? null,
      streamed: (await store.getBuffer('deep/a/b/streamed'))?.toString() ?? null,
      copied: await store.head('copies/one'),
      ranged,
      etagOfWhole: whole.headers.get('etag'),
      beyondTheEnd: beyond.status,
      empty: { head: await store.head('empty/zero'), bytes: (await store.getBuffer('empty/zero'))?.length },
      md5Recreated: await store.head('deep/a/c/kept'),
      listed: (listing.Contents ?? []).map((o) => ({ key: o.Key, size: o.Size, etag: o.ETag })),
      afterDelete: null,
      missing: await store.getBuffer('nope/missing'),
    };
    await store.delete('deep/a/b/removed');
    await store.delete('deep/a/b/streamed'); // its folders empty: removed as well
    answers.afterDelete = await store.head('deep/a/b/removed');
    return answers;
  } finally {
    store.destroy();
  }
}

describe('the embedded S3 server with synchronous file operations (benchmarks)', () => {
  it('answers and stores exactly as s3rver’s own store does', async () => {
    const parent = scratchParent();
    const stockDir = await mkdtemp(join(parent, 'df-s3-stock-'));
    const syncDir = await mkdtemp(join(parent, 'df-s3-sync-'));
    const stock = await startEmbeddedS3(stockDir);
    const sync = await startEmbeddedS3(syncDir, 0, '127.0.0.1', { syncFileOperations: true });
    const syncReads = jest.spyOn(SyncFilesystemStore.prototype, 'getObject');
    const syncWrites = jest.spyOn(SyncFilesystemStore.prototype, 'putObject');
    try {
      const expected = await exercise(stock, stockDir);
      expect(syncReads).not.toHaveBeenCalled(); // the stock server never uses it
      const actual = await exercise(sync, syncDir);
      expect(syncReads).toHaveBeenCalled();
      expect(syncWrites).toHaveBeenCalled();
      expect(expected.bytes).toHaveLength(10_000); // the stock answers are the real thing
      expect(expected.ranged).toMatchObject({ status: 206, range: 'bytes 10-19/5000' });
      expect(expected.afterDelete).toBeNull();
      expect(expected.beyondTheEnd).toBe(416);
      expect(expected.empty).toMatchObject({ bytes: 0 });
      expect(expected.listed).toHaveLength(3);
      expect(actual).toEqual(expected);
      const files = tree(syncDir);
      expect(Object.keys(files).some((name) => name.includes('deep/a/b'))).toBe(false);
      expect(Object.keys(files).some((name) => name.includes('deep/a/c'))).toBe(true);
      expect(files).toEqual(tree(stockDir));
    } finally {
      syncReads.mockRestore();
      syncWrites.mockRestore();
      await stock.close();
      await sync.close();
      await rm(stockDir, { recursive: true, force: true });
      await rm(syncDir, { recursive: true, force: true });
    }
  });
});
