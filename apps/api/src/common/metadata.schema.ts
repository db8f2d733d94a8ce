import { z } from 'zod';

/** CONTRACT.md: metadata is a JSON object of at most 4 KiB. */
export const MAX_METADATA_BYTES = 4096;
/** Deeper than any real record needs; bounded so nothing recursive (JSON.stringify) can overflow. */
export const MAX_METADATA_DEPTH = 16;

/** The nesting depth of a JSON value, counted without recursion (the input may be 100,000 deep). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Why a parsed metadata value is refused, or null when it is a fine object. */
export function metadataProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'metadata must be a JSON object, such as {"accession": "A123"}';
  if (depthExceeds(value, MAX_METADATA_DEPTH))
    return `metadata may be nested at most ${MAX_METADATA_DEPTH} levels deep`;
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_BYTES)
    return 'metadata must be at most 4 KiB of JSON';
  return null;
}

/**
 * The one metadata schema (STYLE.md #14): a JSON object, at most 16 levels deep and 4 KiB. Used
 * for JSON bodies (batches, direct-upload entries); `metadataFieldSchema` is the same rule for a
 * multipart form field, which arrives as a string.
 */
export const metadataObjectSchema = z.unknown().transform((value, ctx) => {
  const problem = metadataProblem(value);
  if (!problem) return value as Record<string, unknown>;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** `metadata` sent as a form field: a string holding the JSON object. */
export const metadataFieldSchema = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = Buffer.byteLength(text, 'utf8') <= MAX_METADATA_BYTES ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // reported below as "not a JSON object"
  }
  const problem =
    value === undefined && Buffer.byteLength(text, 'utf8') > MAX_METADATA_BYTES
      ? 'metadata must be at most 4 KiB of JSON'
      : metadataProblem(value);
  if (!problem) return value as Record<string, unknown>;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});
