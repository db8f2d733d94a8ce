import { Logger, type INestApplicationContext } from '@nestjs/common';
import type { WorkerConfig } from '../config/worker.config';
import { ModelRuntimeService } from './model-runtime.service';

/**
 * The worker process's threads below its CPU session's (WORKER_OTHER_THREADS_NICE): called from
 * main.ts only, since a nice value is the process's business (a test hosting a worker in its
 * own process must not slow itself down). Not for a GPU session: its CPU side is one thread
 * feeding the device, without the intra-op barriers that make this pay on a CPU.
 */
export function prioritiseSession(app: INestApplicationContext, config: WorkerConfig): void {
  const nice = config.otherThreadsNice;
  if (config.mode === 'preprocess' || nice === 0 || config.session.executionProviders[0] !== 'cpu') return;
  const lowered = app.get(ModelRuntimeService).classifier.prioritiseSession(nice);
  new Logger('Model').log(`${lowered} threads other than the session's at nice ${nice}`);
}
