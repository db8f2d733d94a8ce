import { opendir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { CliError } from '../cli-errors';
import { skipByName } from './skip-rules';

export interface WalkedFile {
  kind: 'file';
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the submitted root, with `/` separators: the image's filename in the batch. */
  relPath: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedEntry {
  kind: 'skipped';
  relPath: string;
  /** `outside_root`: a symlink to something outside the submitted folder (never sent). */
  reason: 'hidden' | 'system' | 'not_a_file' | 'unreadable' | 'outside_root';
}

export type WalkEntry = WalkedFile | SkippedEntry;

export interface WalkRoot {
  path: string;
  /** Prefix of relative paths (the folder's name when several inputs are given), '' for none. */
  prefix: string;
  isDirectory: boolean;
}

/**
 * The inputs as walk roots. One folder: paths relative to it. A file: its name. Several inputs:
 * each folder's files under the folder's name, so two folders' IMG_0001.jpg stay apart.
 */
export async function walkRoots(inputs: string[]): Promise<WalkRoot[]> {
  const roots: WalkRoot[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => null);
    if (!info) throw new CliError(`${input} does not exist or cannot be read.`);
    const isDirectory = info.isDirectory();
    roots.push({ path, isDirectory, prefix: inputs.length > 1 && isDirectory ? basename(path) : '' });
  }
  return roots;
}

const joinRel = (prefix: string, name: string): string => (prefix ? `${prefix}/${name}` : name);

/**
 * Every file under the roots, lazily: one directory handle open at a time per level (opendir),
 * never a whole listing in memory, so a million-file archive walks in flat memory. Hidden and
 * system entries are reported as skipped and not descended into; symlinked folders are not
 * followed (no loops), symlinked files only when they resolve inside the submitted folder (a
 * link to /etc/passwd or another patient's archive is not part of this one).
 */
export async function* walkFiles(roots: WalkRoot[]): AsyncGenerator<WalkEntry> {
  for (const root of roots) {
    if (!root.isDirectory) {
      yield* statFile(root.path, joinRel(root.prefix, basename(root.path)));
    } else {
      yield* walkDir(root.path, root.prefix, await realpath(root.path));
    }
  }
}

async function* walkDir(dir: string, rel: string, realRoot: string): AsyncGenerator<WalkEntry> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch {
    yield { kind: 'skipped', relPath: rel || '.', reason: 'unreadable' };
    return;
  }
  for await (const entry of handle) {
    const relPath = joinRel(rel, entry.name);
    const skip = skipByName(entry.name, entry.isDirectory());
    if (skip) {
      yield { kind: 'skipped', relPath, reason: skip };
    } else if (entry.isDirectory()) {
      yield* walkDir(join(dir, entry.name), relPath, realRoot);
    } else if (entry.isFile()) {
      yield* statFile(join(dir, entry.name), relPath);
    } else if (entry.isSymbolicLink()) {
      const target = await realpath(join(dir, entry.name)).catch(() => null);
      const inside = target !== null && target.startsWith(realRoot + sep);
      if (inside) yield* statFile(join(dir, entry.name), relPath);
      else yield { kind: 'skipped', relPath, reason: target === null ? 'unreadable' : 'outside_root' };
    } else {
      yield { kind: 'skipped', relPath, reason: 'not_a_file' };
    }
  }
}

async function* statFile(path: string, relPath: string): AsyncGenerator<WalkEntry> {
  const info = await stat(path).catch(() => null);
  if (!info) yield { kind: 'skipped', relPath, reason: 'unreadable' };
  else if (!info.isFile()) yield { kind: 'skipped', relPath, reason: 'not_a_file' };
  else yield { kind: 'file', path, relPath, size: info.size, mtimeMs: Math.floor(info.mtimeMs) };
}

/** How many files the walk will meet (names only, no reads): the progress bar's total. */
export async function countFiles(roots: WalkRoot[], signal: { stopped: boolean }): Promise<number> {
  let count = 0;
  const visit = async (dir: string): Promise<void> => {
    const handle = await opendir(dir).catch(() => null);
    if (!handle) return;
    for await (const entry of handle) {
      if (signal.stopped) return;
      if (skipByName(entry.name, entry.isDirectory())) continue;
      if (entry.isDirectory()) await visit(join(dir, entry.name));
      else count++;
    }
  };
  for (const root of roots) {
    if (root.isDirectory) await visit(root.path);
    else count++;
  }
  return count;
}
