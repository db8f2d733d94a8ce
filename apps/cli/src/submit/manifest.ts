import { readFile } from 'node:fs/promises';
import { CliError } from '../cli-errors';
import { parseCsv } from './csv-parse';

/**
 * `--manifest CSV`: per-image metadata by relative path. A header row names a `path` (or
 * `filename`) column; every other column becomes a metadata string (empty cells are left out).
 */
export class Manifest {
  private readonly matched = new Set<string>();

  private constructor(private readonly rows: Map<string, Record<string, string>>) {}

  static async load(path: string): Promise<Manifest> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new CliError(`Cannot read the manifest ${path}: ${(err as Error).message}`);
    }
    const [header, ...lines] = parseCsv(text);
    const column = header?.findIndex((h) => ['path', 'filename'].includes(h.trim().toLowerCase())) ?? -1;
    if (column < 0)
      throw new CliError(`The manifest ${path} needs a header row with a "path" or "filename" column.`);
    const rows = new Map<string, Record<string, string>>();
    for (const cells of lines) {
      const key = normalisePath(cells[column] ?? '');
      if (!key) continue;
      const metadata: Record<string, string> = {};
      header.forEach((name, i) => {
        if (i !== column && name.trim() && cells[i]) metadata[name.trim()] = cells[i];
      });
      rows.set(key, metadata);
    }
    return new Manifest(rows);
  }

  /** The metadata for a relative path, if the manifest names it. */
  metadataFor(relPath: string): Record<string, string> | undefined {
    const metadata = this.rows.get(relPath);
    if (metadata) this.matched.add(relPath);
    return metadata;
  }

  get unmatched(): number {
    return this.rows.size - this.matched.size;
  }
}

/** Manifest paths as the walk writes them: `/` separators, no leading `./` or `/`. */
export function normalisePath(path: string): string {
  return path
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.')
    .join('/');
}
