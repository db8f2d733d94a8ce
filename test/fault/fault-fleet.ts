import { type ChildApp, startChildApp, waitForOutput } from '../harness/child-app';
import { freePort } from './fault-infra';

/** Short deadlines and backoffs so each fault resolves in seconds (production: docs/RELIABILITY.md). */
export const FAST_RELIABILITY = {
  RECONCILE_AFTER_MS: '3000',
  RECONCILE_INTERVAL_MS: '500',
  JOB_ATTEMPTS: '8',
  JOB_BACKOFF_MS: '500',
  LOCK_DURATION_MS: '4000',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  S3_CONNECT_TIMEOUT_MS: '1000',
  S3_REQUEST_TIMEOUT_MS: '5000',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: '500,1000,2000,3000,3000,3000,3000,3000,3000,3000',
  PREPROCESS_THREADS: '1',
};

export interface FleetProcess {
  app: ChildApp;
  url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

async function waitReady(url: string, app: ChildApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null) throw new Error(`exited early:\n${app.output()}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not up in time:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function wrap(app: ChildApp, url: string): FleetProcess {
  return {
    app,
    url,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (app.child.exitCode !== null || app.child.signalCode !== null) return;
      app.child.kill(signal);
      await app.exited;
    },
  };
}

export async function startFleetApi(env: Record<string, string>): Promise<FleetProcess> {
  const port = await freePort();
  const app = startChildApp('api', { ...FAST_RELIABILITY, ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, app);
  return wrap(app, url);
}

export async function startFleetWorker(env: Record<string, string>): Promise<FleetProcess> {
  const port = await freePort();
  const app = startChildApp('worker', { ...FAST_RELIABILITY, ...env, WORKER_PORT: String(port) });
  await waitForOutput(app, /Consuming "inference"/, 90_000);
  return wrap(app, `http://127.0.0.1:${port}`);
}
