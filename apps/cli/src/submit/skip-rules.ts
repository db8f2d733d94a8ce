/** Files operating systems and tools leave in folders: never images, never uploaded. */
const SYSTEM_FILES = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini', 'icon\r', '.ds_store']);
const SYSTEM_DIRS = new Set(['$recycle.bin', 'system volume information', '__macosx', '@eadir']);

export type NameSkip = 'hidden' | 'system' | null;

/** Why a directory entry is skipped by its name alone (hidden dot-files and dot-dirs, system files), or null. */
export function skipByName(name: string, isDirectory: boolean): NameSkip {
  const lower = name.toLowerCase();
  if (SYSTEM_FILES.has(lower) || (isDirectory && SYSTEM_DIRS.has(lower))) return 'system';
  if (name.startsWith('.')) return 'hidden';
  return null;
}
