import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countFiles, walkFiles, walkRoots, type WalkEntry } from './file-walker';

async function collect(inputs: string[]): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  for await (const e of walkFiles(await walkRoots(inputs))) entries.push(e);
  return entries.sort((a, b) => a.relPath.localeCompare(b.relPath));
}

describe('walkFiles', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'walk-'));
    for (const path of [
      'archive/2019/derm/IMG_0001.jpg',
      'archive/2019/clin/IMG_0001.jpg',
      'archive/.hidden/x.jpg',
      'archive/.DS_Store',
      'other/a.png',
    ]) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), 'x');
    }
  });

  it('walks a folder lazily with paths relative to it, reporting hidden and system entries', async () => {
    const entries = await collect([join(root, 'archive')]);
    expect(entries.map((e) => [e.relPath, e.kind === 'file' ? 'file' : e.reason])).toEqual([
      ['.DS_Store', 'system'],
      ['.hidden', 'hidden'],
      ['2019/clin/IMG_0001.jpg', 'file'],
      ['2019/derm/IMG_0001.jpg', 'file'],
    ]);
    expect(await countFiles(await walkRoots([join(root, 'archive')]), { stopped: false })).toBe(2);
  });

  it("prefixes each folder's name when several inputs are given, and takes a file by its name", async () => {
    const entries = await collect([
      join(root, 'archive', '2019'),
      join(root, 'other'),
      join(root, 'other', 'a.png'),
    ]);
    expect(entries.filter((e) => e.kind === 'file').map((e) => e.relPath)).toEqual([
      '2019/clin/IMG_0001.jpg',
      '2019/derm/IMG_0001.jpg',
      'a.png',
      'other/a.png',
    ]);
  });

  it('stops with a sentence for an input that does not exist', async () => {
    await expect(walkRoots([join(root, 'nope')])).rejects.toThrow(/does not exist/);
  });
});
