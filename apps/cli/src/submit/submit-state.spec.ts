import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubmitState } from './submit-state';

describe('SubmitState', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'submit-state-'));
  });

  it('remembers outcomes by path, size and mtime, and writes the file whole (no temp file left)', async () => {
    const path = join(dir, 'state.json');
    const state = SubmitState.create(path, 'http://api', 'bat_AAAAAAAAAAAAAAAAAAAAAA', ['/archive']);
    state.markDone('2019/a.jpg', 10, 1000, 'prd_x');
    state.markFailed('2019/b.jpg', 20, 2000, 'invalid_request');
    await state.save();
    expect(await readdir(dir)).toEqual(['state.json']);
    const loaded = (await SubmitState.load(path))!;
    expect([loaded.batchId, loaded.api, loaded.inputs, loaded.sealed]).toEqual([
      'bat_AAAAAAAAAAAAAAAAAAAAAA',
      'http://api',
      ['/archive'],
      false,
    ]);
    expect(loaded.outcomeOf('2019/a.jpg', 10, 1000)).toBe('done');
    expect(loaded.outcomeOf('2019/a.jpg', 11, 1000)).toBeNull(); // changed since: send again
    expect(loaded.outcomeOf('2019/a.jpg', 10, 1001)).toBeNull();
    expect(loaded.outcomeOf('2019/b.jpg', 20, 2000)).toBe('failed');
    expect(loaded.outcomeOf('2019/c.jpg', 1, 1)).toBeNull();
    loaded.markSealed();
    await loaded.save();
    expect(JSON.parse(await readFile(path, 'utf8')).sealed).toBe(true);
  });

  it('answers null without a file and refuses a file it did not write', async () => {
    expect(await SubmitState.load(join(dir, 'none.json'))).toBeNull();
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(SubmitState.load(join(dir, 'other.json'))).rejects.toThrow(/is not one dermafleet wrote/);
  });
});
