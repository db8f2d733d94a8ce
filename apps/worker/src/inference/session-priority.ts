import { Logger, type INestApplicationContext } from '@nestjs/common';
import type { WorkerConfig } from '../config/worker.config';
import { ModelRuntimeService } from './model-runtime.service';

/**
 * The worker process's threads below its CPU session's (WORKER_OTHER_THREADS_POLICY, _NICE):
 * called from main.ts only, since a thread's priority is the process's business (a test hosting
 * a worker in its own process must not slow itself down). Not for a GPU session: its CPU side is
 * one thread feeding the device, without the intra-op barriers that make this pay on a CPU.
 */
export function prioritiseSession(app: INestApplicationContext, config: WorkerConfig): void {
  const { otherThreads } = config;
  if (
    config.mode === 'preprocess' ||
    otherThreads.nice === 0 ||
    config.session.executionProviders[0] !== 'cpu'
  )
    return;
  const logger = new Logger('Model');
  const done = app.get(ModelRuntimeService).classifier.prioritiseSession(otherThreads);
  if (done.fallback) logger.warn(`No SCHED_IDLE for the worker's decoders (${done.fallback})`);
  logger.log(done.summary);
}
