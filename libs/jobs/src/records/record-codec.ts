import type { ImageInfo, PredictionResult } from '../prediction.types';

/**
 * Compact encodings of a prediction record's large values in Redis (issue 12: at most 1 KiB per
 * finished prediction; the full result is in S3). Values written before these encodings (JSON)
 * are still read. A compact value starts with "~", which JSON never does.
 */

/** What a compact result leaves out, stored once per model version (ModelRegistry). */
export interface ModelLabels {
  id: string;
  version: string;
  labels: string[];
}

/** A short, stable reference to a model version: 16 hex digits (64 bits) of its sha256. */
export function modelRef(version: string): string {
  return version.replace(/^sha256:/, '').slice(0, 16);
}

/**
 * "~<model ref>|<mode e/f><auto_orient 0/1><cached 0/1>|<probabilities as base64 float64>":
 * float64 keeps every probability bit for bit (the contract's unrounded numbers); labels, model
 * id and version come from the registry; label and confidence are the arg-max entry (lowest
 * index on ties), so they are derived. A result that does not follow that rule stays JSON.
 */
export function encodeResult(result: PredictionResult): string {
  const probs = Float64Array.from(result.probabilities, (p) => p.probability);
  const top = argMax(probs);
  if (result.probabilities[top]?.label !== result.label || probs[top] !== result.confidence)
    return JSON.stringify(result);
  const flags =
    (result.preprocessing.mode === 'fast' ? 'f' : 'e') +
    (result.preprocessing.auto_orient ? '1' : '0') +
    (result.cached ? '1' : '0');
  return `~${modelRef(result.model.version)}|${flags}|${Buffer.from(probs.buffer).toString('base64')}`;
}

/** The model reference of a compact result value, or null for JSON (or none). */
export function resultModelRef(value: string | null | undefined): string | null {
  return value?.startsWith('~') ? value.slice(1, value.indexOf('|')) : null;
}

export function decodeResult(value: string, model: (ref: string) => ModelLabels): PredictionResult {
  if (!value.startsWith('~')) return JSON.parse(value) as PredictionResult;
  const [ref, flags, packed] = value.slice(1).split('|');
  const { id, version, labels } = model(ref);
  const bytes = Buffer.from(packed, 'base64');
  const probs = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (probs.length !== labels.length)
    throw new Error(
      `A stored result has ${probs.length} probabilities; model ${version} has ${labels.length} labels.`,
    );
  const top = argMax(probs);
  return {
    label: labels[top],
    confidence: probs[top],
    probabilities: labels.map((label, i) => ({ label, probability: probs[i] })),
    model: { id, version },
    preprocessing: { mode: flags[0] === 'f' ? 'fast' : 'exact', auto_orient: flags[1] === '1' },
    cached: flags[2] === '1',
  };
}

/**
 * "~<sha256 as base64url>,<bytes>,<width>,<height>,<format>" (numbers in base 36): about 60
 * bytes, so with the other short values the record can stay in Redis' compact hash encoding.
 */
export function encodeImage(image: ImageInfo): string {
  if (!/^[0-9a-f]{64}$/.test(image.sha256) || !/^[a-z]+$/.test(image.format)) return JSON.stringify(image);
  const n = (v: number) => v.toString(36);
  return `~${Buffer.from(image.sha256, 'hex').toString('base64url')},${n(image.bytes)},${n(image.width)},${n(image.height)},${image.format}`;
}

export function decodeImage(value: string): ImageInfo {
  if (!value.startsWith('~')) return JSON.parse(value) as ImageInfo;
  const [sha, bytes, width, height, format] = value.slice(1).split(',');
  return {
    sha256: Buffer.from(sha, 'base64url').toString('hex'),
    bytes: parseInt(bytes, 36),
    width: parseInt(width, 36),
    height: parseInt(height, 36),
    format: format as ImageInfo['format'],
  };
}

/**
 * Where the image is stored (RECORD_FORMAT=compact): '' (field left out) for the content address every record uses now,
 * `images/<tenant>/<sha256>` (libs/storage's objectKeys.image, which this library may not import:
 * record-codec.spec.ts checks the two agree); else a key ending with the sha256 as `<rest>*`;
 * else the key itself. Records written before 2026-11 hold `images/<tenant>/*`, still read.
 */
export function encodeImageKey(key: string, tenant: string, sha256: string): string {
  return key === contentAddress(tenant, sha256) ? '' : encodeImageKeyCompatible(key, sha256);
}

/** The form every version reads: a key ending with the sha256 as `<rest>*`, else the key. */
export function encodeImageKeyCompatible(key: string, sha256: string): string {
  return key.endsWith(sha256) ? `${key.slice(0, -sha256.length)}*` : key;
}

export function decodeImageKey(value: string | undefined, tenant: string, sha256: string): string {
  if (!value) return contentAddress(tenant, sha256);
  return value.endsWith('*') ? value.slice(0, -1) + sha256 : value;
}

function contentAddress(tenant: string, sha256: string): string {
  return `images/${tenant}/${sha256}`;
}

/** Bulk (batch) predictions are most records: their priority is left out and read back as bulk. */
export function encodePriority(priority: 'interactive' | 'bulk'): string {
  return priority === 'bulk' ? '' : priority;
}

export function decodePriority(value: string | undefined): 'interactive' | 'bulk' {
  return value === 'interactive' ? 'interactive' : 'bulk';
}

function argMax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
