/** `s3://bucket/prefix/`: where a model directory lives in S3 (CONTRACT.md "Model directory"). */
export interface S3ModelUri {
  bucket: string;
  /** Key prefix of the directory's objects, ending with `/` (or '' for the bucket's root). */
  prefix: string;
  /** As written, normalised to end with `/`. */
  uri: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function isS3Uri(value: string): boolean {
  return value.startsWith('s3://');
}

/** Parses `s3://bucket/prefix/` (a missing trailing slash is added); null when it is not one. */
export function parseS3ModelUri(value: string): S3ModelUri | null {
  const match = S3_URI.exec(value);
  if (!match) return null;
  const rest = match[2] ?? '';
  if (rest.split('/').some((part) => part === '..' || part === '.')) return null;
  const prefix = rest === '' || rest.endsWith('/') ? rest : `${rest}/`;
  return { bucket: match[1], prefix, uri: `s3://${match[1]}/${prefix}` };
}
