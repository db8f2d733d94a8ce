/**
 * The part of s3rver's internals (its file store and models, which @types/s3rver does not cover)
 * that SyncFilesystemStore extends.
 */
declare module 's3rver/lib/models/bucket' {
  class S3Bucket {
    constructor(name: string, creationDate: Date);
  }
  export = S3Bucket;
}

declare module 's3rver/lib/models/object' {
  class S3Object {
    static ALLOWED_METADATA: string[];
    constructor(bucket: string, key: string, content: unknown, metadata: Record<string, unknown>);
    bucket: string;
    key: string;
    content: Buffer | NodeJS.ReadableStream | null;
    metadata: Record<string, string>;
    range?: { start: number; end: number };
  }
  export = S3Object;
}

declare module 's3rver/lib/models/config' {
  export function getConfigModel(type: string): new (xml: string) => unknown;
}

declare module 's3rver/lib/stores/filesystem' {
  import type S3Bucket from 's3rver/lib/models/bucket';
  import type S3Object from 's3rver/lib/models/object';

  class FilesystemStore {
    constructor(rootDirectory: string);
    getBucketPath(bucket: string): string;
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getBucket(bucket: string): Promise<S3Bucket | null>;
    getSubresource(bucket: string, key: string | undefined, resourceType: string): Promise<unknown>;
    getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
    existsObject(bucket: string, key: string): Promise<boolean>;
    getObject(
      bucket: string,
      key: string,
      options?: { start?: number; end?: number },
    ): Promise<S3Object | null>;
    putObject(object: S3Object): Promise<{ size: number; md5: string }>;
    deleteObject(bucket: string, key: string): Promise<void>;
  }
  export = FilesystemStore;
}
