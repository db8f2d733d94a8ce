import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
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

  it('does not follow a symlink out of the submitted folder, and follows one that stays inside', async () => {
    const base = await mkdtemp(join(tmpdir(), 'walk-links-'));
    await mkdir(join(base, 'archive', 'a'), { recursive: true });
    await writeFile(join(base, 'archive', 'a', 'in.jpg'), 'x');
    await writeFile(join(base, 'secret.jpg'), 'private');
    await symlink(join(base, 'secret.jpg'), join(base, 'archive', 'out.jpg'));
    await symlink(join(base, 'archive', 'a', 'in.jpg'), join(base, 'archive', 'again.jpg'));
    await symlink(join(base, 'missing.jpg'), join(base, 'archive', 'dangling.jpg'));
    const entries = await collect([join(base, 'archive')]);
    expect(entries.map((e) => [e.relPath, e.kind === 'file' ? 'file' : e.reason])).toEqual([
      ['a/in.jpg', 'file'],
      ['again.jpg', 'file'],
      ['dangling.jpg', 'unreadable'],
      ['out.jpg', 'outside_root'],
    ]);
  });
});
