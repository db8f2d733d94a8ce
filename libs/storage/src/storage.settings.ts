/** How to reach the S3 API. Validated by each app's config; this lib only consumes it. */
export interface StorageSettings {
  /** Omit for AWS S3's regional endpoint. */
  endpoint?: string;
  /** Endpoint for presigned URLs handed to clients outside the cluster. */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Omit to use the AWS default credential chain (IRSA, instance profile, env). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Create the bucket at start when it does not exist (dev, tests, MinIO). */
  createBucket: boolean;
  /** Per connection and per request (default 3 s and 30 s): no S3 call hangs a job or a request. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}
