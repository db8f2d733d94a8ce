import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker.config';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { appEnv } from './test-env';

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

async function listen(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let closed = false;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

/** The real API (the same Nest application main.ts runs), on a free port. */
export async function startApi(prefix: string, extra: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadApiConfig(appEnv(prefix, extra));
  return listen(await createApiApp(config, false));
}

/** The real worker (model loaded and warmed before it consumes), on a free port. */
export async function startWorker(prefix: string, extra: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadWorkerConfig(appEnv(prefix, extra));
  return listen(await createWorkerApp(config, false));
}
