import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../libs/jobs/src/local/local-redis';
import { WORKER_NODE_FLAGS } from '../../libs/inference/src/threads/worker-node-flags';
import { repoRoot } from './bench-infra';

/** Clock ticks per second of /proc/<pid>/stat's CPU times (100 on practically every Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** One of our apps (api or worker) running from dist/ as its own process, as containers run it. */
export class AppProcess {
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** `nice` > 0 starts every thread of the process at that nice value (coreutils `nice`). */
  static async start(
    app: 'api' | 'worker',
    name: string,
    env: Record<string, string>,
    nice = 0,
    nodeArgs: string[] = [],
  ): Promise<AppProcess> {
    const port = await freePort();
    const portEnv = app === 'api' ? { PORT: String(port) } : { WORKER_PORT: String(port) };
    const main = join(repoRoot, 'dist', 'apps', app, 'src', 'main.js');
    // BENCH_CPU_PROF=DIR: every app process writes V8 CPU profiles there (one per thread, on exit),
    // to see where a part's CPU goes (Node refuses --cpu-prof in NODE_OPTIONS).
    const profileDir = process.env.BENCH_CPU_PROF;
    // BENCH_NODE_ARGS='--trace-gc ...': more Node flags for every app process (also refused in
    // NODE_OPTIONS); with BENCH_APP_LOG_DIR=DIR each process's stdout is kept there as <name>.log.
    const extraArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    // A worker runs with the Node flags it is deployed with (WORKER_NODE_FLAGS).
    nodeArgs = [...(app === 'worker' ? WORKER_NODE_FLAGS : []), ...extraArgs, ...nodeArgs];
    if (profileDir) nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...nodeArgs];
    const [command, args] =
      nice > 0
        ? ['nice', ['-n', String(nice), process.execPath, ...nodeArgs, main]]
        : [process.execPath, [...nodeArgs, main]];
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, HOST: '127.0.0.1', ...env, ...portEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new AppProcess(name, child, `http://127.0.0.1:${port}`);
    const logDir = process.env.BENCH_APP_LOG_DIR;
    if (logDir) child.stdout?.pipe(createWriteStream(join(logDir, `${name}.log`)));
    try {
      await proc.waitReady(300_000);
    } catch (err) {
      await proc.stop(); // one that never became ready (a timeout) would otherwise outlive the bench
      throw err;
    }
    return proc;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get log(): string {
    return this.output;
  }

  /** Resident memory now and at its peak (Linux /proc; VmHWM is the high-water mark). */
  memory(): { rssMiB: number; peakRssMiB: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  }

  /** CPU seconds (user + system, every thread) the process has used so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
  }

  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited during start-up:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs / 1000} s:\n${this.output}`);
  }

  /** SIGTERM, as Kubernetes stops a pod; waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const code = await Promise.race([
      this.exited,
      new Promise<'late'>((r) => setTimeout(() => r('late'), 60_000)),
    ]);
    if (code === 'late') this.child.kill('SIGKILL');
  }
}
