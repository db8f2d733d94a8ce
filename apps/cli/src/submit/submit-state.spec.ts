import { appendFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubmitState } from './submit-state';

const BATCH = 'bat_AAAAAAAAAAAAAAAAAAAAAA';

describe('SubmitState (append-only journal)', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'submit-state-'));
    path = join(dir, 'state.json');
  });

  it('remembers outcomes by path, size and mtime across runs, appending (no temp file left)', async () => {
    const state = SubmitState.create(path, 'http://api', BATCH, ['/archive']);
    state.markDone('2019/a.jpg', 10, 1000, 'prd_x');
    state.markFailed('2019/b.jpg', 20, 2000, 'invalid_request');
    await state.save();
    expect(await readdir(dir)).toEqual(['state.json']);
    const loaded = (await SubmitState.load(path))!;
    expect([loaded.batchId, loaded.api, loaded.inputs, loaded.sealed]).toEqual([
      BATCH,
      'http://api',
      ['/archive'],
      false,
    ]);
    expect(loaded.outcomeOf('2019/a.jpg', 10, 1000)).toBe('done');
    expect(loaded.outcomeOf('2019/a.jpg', 11, 1000)).toBeNull(); // changed since: send again
    expect(loaded.outcomeOf('2019/a.jpg', 10, 1001)).toBeNull();
    expect(loaded.outcomeOf('2019/b.jpg', 20, 2000)).toBe('failed');
    expect(loaded.outcomeOf('2019/c.jpg', 1, 1)).toBeNull();
    expect(loaded.failedCount()).toBe(1);
    const before = await readFile(path, 'utf8');
    loaded.markDone('2019/c.jpg', 1, 1, 'prd_c');
    loaded.markSealed();
    await loaded.save();
    const after = await readFile(path, 'utf8');
    expect(after.startsWith(before)).toBe(true); // appended, never rewritten
    expect(after.slice(before.length).trim().split('\n')).toHaveLength(2);
    const again = (await SubmitState.load(path))!;
    expect(again.sealed).toBe(true);
    expect(again.outcomeOf('2019/c.jpg', 1, 1)).toBe('done');
  });

  it('ignores a torn last line and cuts it off before appending the next ones', async () => {
    const state = SubmitState.create(path, 'http://api', BATCH, ['/archive']);
    state.markDone('a.jpg', 1, 1, 'prd_a');
    await state.save();
    await appendFile(path, '["d","b.jpg",2,2,"prd_'); // the crash came mid-write
    const resumed = (await SubmitState.load(path))!;
    expect(resumed.outcomeOf('a.jpg', 1, 1)).toBe('done');
    expect(resumed.outcomeOf('b.jpg', 2, 2)).toBeNull(); // sent again
    resumed.markDone('b.jpg', 2, 2, 'prd_b');
    await resumed.save();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => JSON.parse(l) !== undefined)).toBe(true);
    const last = (await SubmitState.load(path))!;
    expect([last.outcomeOf('a.jpg', 1, 1), last.outcomeOf('b.jpg', 2, 2)]).toEqual(['done', 'done']);
  });

  it('lets a later outcome of the same file win (failed, then done after a retry)', async () => {
    const state = SubmitState.create(path, 'http://api', BATCH, ['/archive']);
    state.markFailed('x.jpg', 5, 5, 'upload_failed');
    state.markDone('x.jpg', 5, 5, 'prd_x');
    await state.save();
    const loaded = (await SubmitState.load(path))!;
    expect(loaded.outcomeOf('x.jpg', 5, 5)).toBe('done');
    expect(loaded.failedCount()).toBe(0);
  });

  it('keeps resuming from a state file of the earlier layout (one JSON map), as a journal', async () => {
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        api: 'http://api',
        batch_id: BATCH,
        inputs: ['/archive'],
        sealed: false,
        files: { 'a.jpg': [1, 1, 'done', 'prd_a'], 'b.jpg': [2, 2, 'failed', 'invalid_request'] },
      }),
    );
    const loaded = (await SubmitState.load(path))!;
    expect([loaded.batchId, loaded.outcomeOf('a.jpg', 1, 1), loaded.outcomeOf('b.jpg', 2, 2)]).toEqual([
      BATCH,
      'done',
      'failed',
    ]);
    expect(JSON.parse((await readFile(path, 'utf8')).split('\n')[0])).toMatchObject({ dermafleet_submit: 2 });
  });

  it('resumes 20,000 outcomes from a journal without keeping their paths', async () => {
    const state = SubmitState.create(path, 'http://api', BATCH, ['/archive']);
    for (let i = 0; i < 20_000; i++) state.markDone(`dir${i % 97}/img-${i}.jpg`, i, 1000 + i, `prd_${i}`);
    await state.save();
    const loaded = (await SubmitState.load(path))!;
    let done = 0;
    for (let i = 0; i < 20_000; i++) if (loaded.outcomeOf(`dir${i % 97}/img-${i}.jpg`, i, 1000 + i)) done++;
    expect(done).toBe(20_000);
    expect(loaded.outcomeOf('dir0/img-20000.jpg', 20_000, 21_000)).toBeNull();
  });

  it('answers null without a file and refuses a file it did not write', async () => {
    expect(await SubmitState.load(join(dir, 'none.json'))).toBeNull();
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(SubmitState.load(join(dir, 'other.json'))).rejects.toThrow(/is not one dermafleet wrote/);
    await writeFile(join(dir, 'garbage.json'), 'not json\n');
    await expect(SubmitState.load(join(dir, 'garbage.json'))).rejects.toThrow(/is not one dermafleet wrote/);
  });
});
