import type { AppProcess } from './app-process';

/** What the workers' own metrics count so far: seconds inside session.run, batches, images. */
export interface SessionCounters {
  busy: number;
  batches: number;
  images: number;
}

/** The session counters of one or more workers, summed (read before and after a run, then subtracted). */
export async function sessionCounters(workers: readonly AppProcess[]): Promise<SessionCounters> {
  const sum = async (name: string) =>
    (await Promise.all(workers.map((w) => w.metric(name)))).reduce((a, b) => a + b, 0);
  return {
    busy: await sum('dermafleet_worker_session_busy_seconds_total'),
    batches: await sum('dermafleet_worker_batches_run'),
    images: await sum('dermafleet_worker_images_inferred'),
  };
}
