/** Longest filename kept, in UTF-8 bytes (deep archive paths fit; a runaway one does not). */
const MAX_FILENAME_BYTES = 1024;

/**
 * Control characters, and the Unicode bidi controls (U+202E RIGHT-TO-LEFT OVERRIDE and kin) that
 * make "gpj.exe" display as "exe.jpg": no filename we keep or show may hold them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why a filename cannot be kept as sent (any upload path), or null. */
export function unsafeFilename(raw: string): string | null {
  return UNSAFE.test(raw) ? 'The filename contains control or bidirectional-override characters.' : null;
}

export type FilenameCheck = { ok: true; filename: string } | { ok: false; message: string };

/**
 * A batch image's filename: the path relative to the submitted root (CONTRACT.md "filename").
 * Windows separators become `/`, empty and `.` segments are dropped; an absolute path, a `..`
 * segment, a control or bidi-override character refuses the file, so no export or client can be led outside
 * the archive's tree.
 */
export function checkBatchFilename(raw: string): FilenameCheck {
  const unsafe = unsafeFilename(raw);
  if (unsafe) return { ok: false, message: unsafe };
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed)) {
    return {
      ok: false,
      message: `The filename "${raw}" is an absolute path; send the path relative to the submitted folder.`,
    };
  }
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    return {
      ok: false,
      message: `The filename "${raw}" contains a ".." segment; send the path relative to the submitted folder.`,
    };
  }
  const filename = segments.join('/');
  if (!filename) return { ok: false, message: 'The filename is empty.' };
  if (Buffer.byteLength(filename, 'utf8') > MAX_FILENAME_BYTES) {
    return { ok: false, message: `The filename is longer than ${MAX_FILENAME_BYTES} bytes.` };
  }
  return { ok: true, filename };
}
