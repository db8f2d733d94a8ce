/**
 * At most `size` tasks at once. `run` waits for a free slot (so a producer that awaits it cannot
 * run ahead of the work) and returns once the task has started; `drain` waits for all of them.
 * A task's error is kept for `drain` to throw, after every other task has settled.
 */
export class TaskPool {
  private running = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly active = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(private readonly size: number) {}

  get failed(): boolean {
    return this.failure !== null;
  }

  async run(task: () => Promise<void>): Promise<void> {
    while (this.running >= this.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running++;
    const done = task()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.running--;
        this.active.delete(done);
        this.waiters.shift()?.();
      });
    this.active.add(done);
  }

  async drain(): Promise<void> {
    while (this.active.size) await Promise.all([...this.active]);
    if (this.failure !== null) throw this.failure;
  }
}
