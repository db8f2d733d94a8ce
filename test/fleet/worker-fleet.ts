import { startChildApp, type ChildApp } from '../harness/child-app';

export interface Replica {
  name: string;
  app: ChildApp;
  terminating: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

/**
 * Real worker processes, managed as a Deployment's ReplicaSet would: start, SIGTERM (graceful
 * drain), or SIGKILL. A process that dies on its own is simply gone; the autoscaler's next
 * reconcile starts a replacement.
 */
export class WorkerFleet {
  readonly replicas: Replica[] = [];
  private started = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly onEvent: (event: string) => void,
  ) {}

  /** Replicas counted by the scaler: started and not yet told to stop (ready or not, as the HPA counts). */
  get live(): Replica[] {
    return this.replicas.filter((r) => !r.terminating && r.exit === null);
  }

  get running(): Replica[] {
    return this.replicas.filter((r) => r.exit === null);
  }

  start(): Replica {
    const name = `worker-${++this.started}`;
    const replica: Replica = { name, app: startChildApp('worker', this.env), terminating: false, exit: null };
    this.replicas.push(replica);
    void replica.app.exited.then((exit) => {
      replica.exit = exit;
      this.onEvent(`${name} exited (${exit.signal ?? `code ${exit.code}`})`);
    });
    this.onEvent(`${name} started`);
    return replica;
  }

  /** Graceful: the worker stops fetching, finishes the jobs it holds, exits 0. */
  terminate(replica: Replica): void {
    replica.terminating = true;
    replica.app.child.kill('SIGTERM');
    this.onEvent(`${replica.name} SIGTERM`);
  }

  kill(replica: Replica): void {
    replica.terminating = true;
    replica.app.child.kill('SIGKILL');
    this.onEvent(`${replica.name} SIGKILL (kill -9)`);
  }

  /** Scale to `desired`: start the missing ones, terminate the newest extra ones. */
  scaleTo(desired: number): void {
    const live = this.live;
    for (let i = live.length; i < desired; i++) this.start();
    for (const replica of live.slice(desired).reverse()) this.terminate(replica);
  }

  /** Test clean-up: SIGTERM all, SIGKILL whatever has not exited after `graceMs`. */
  async stopAll(graceMs = 30_000): Promise<void> {
    for (const r of this.running) if (!r.terminating) this.terminate(r);
    const timer = setTimeout(() => {
      for (const r of this.running) r.app.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(this.replicas.map((r) => r.app.exited));
    clearTimeout(timer);
  }
}
