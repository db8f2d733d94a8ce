/** Longest filename kept, in UTF-8 bytes (deep archive paths fit; a runaway one does not). */
const MAX_FILENAME_BYTES = 1024;

export type FilenameCheck = { ok: true; filename: string } | { ok: false; message: string };

/**
 * A batch image's filename: the path relative to the submitted root (CONTRACT.md "filename").
 * Windows separators become `/`, empty and `.` segments are dropped; an absolute path, a `..`
 * segment or a control character refuses the file, so no export or client can be led outside
 * the archive's tree.
 */
export function checkBatchFilename(raw: string): FilenameCheck {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) {
    return { ok: false, message: 'The filename contains control characters.' };
  }
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
