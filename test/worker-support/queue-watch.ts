import { QueueEvents } from 'bullmq';

export interface QueueEventLog {
  /** Every event in stream order: the Redis stream id orders them exactly (atomic scripts). */
  events: Array<{ event: string; jobId: string; streamId: string }>;
  count(event: string): number;
  jobIds(event: string): string[];
  close(): Promise<void>;
}

/** Compares two Redis stream ids ("ms-seq"). */
export function streamIdCompare(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * Records a queue's events (BullMQ QueueEvents: one Redis stream per queue). Starts reading from
 * the stream's beginning ('0'), so nothing emitted before the listener connected is missed.
 */
export async function watchQueue(
  queueName: string,
  options: { redisUrl: string; prefix: string },
  names = ['added', 'waiting', 'active', 'completed', 'failed', 'stalled'],
): Promise<QueueEventLog> {
  const queueEvents = new QueueEvents(queueName, {
    connection: { url: options.redisUrl },
    prefix: options.prefix,
    lastEventId: '0',
  });
  const events: QueueEventLog['events'] = [];
  for (const event of names) {
    queueEvents.on(event as 'completed', (args: { jobId: string }, streamId: string) =>
      events.push({ event, jobId: args.jobId, streamId }),
    );
  }
  await queueEvents.waitUntilReady();
  return {
    events,
    count: (event) => events.filter((e) => e.event === event).length,
    jobIds: (event) => events.filter((e) => e.event === event).map((e) => e.jobId),
    close: () => queueEvents.close(),
  };
}
