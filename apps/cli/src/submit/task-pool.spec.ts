import { TaskPool } from './task-pool';

describe('TaskPool', () => {
  it('runs at most `size` tasks at once and waits for all on drain', async () => {
    const pool = new TaskPool(3);
    let running = 0;
    let most = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      await pool.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        done++;
      });
    }
    await pool.drain();
    expect([most, done]).toEqual([3, 20]);
  });

  it('throws the first task error from drain, after the others settled', async () => {
    const pool = new TaskPool(2);
    let finished = 0;
    await pool.run(async () => {
      throw new Error('boom');
    });
    await pool.run(async () => {
      await new Promise((r) => setTimeout(r, 5));
      finished++;
    });
    await expect(pool.drain()).rejects.toThrow('boom');
    expect(finished).toBe(1);
    expect(pool.failed).toBe(true);
  });
});
