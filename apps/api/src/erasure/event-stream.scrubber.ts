import { Inject, Injectable } from '@nestjs/common';
import { QueueName, REDIS, RedisKeys } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';

/** Entries read per XRANGE call. */
const PAGE = 1000;
/** Our ids as they appear in BullMQ's event fields (job ids like `explain-<id>`, `<type>/<id>`). */
const OUR_ID = /(?:prd|bat)_[A-Za-z0-9_-]{16,64}/g;

/**
 * BullMQ keeps each queue's recent events in a stream (`<bull prefix>:<queue>:events`, trimmed to
 * about 10,000 entries), and they name job ids, that is prediction ids. After an erasure removed
 * the jobs, the events that mention the erased ids are deleted too (XDEL). Best effort: an event
 * BullMQ adds later (a worker finishing a job it already held) is only trimmed with time.
 */
@Injectable()
export class EventStreamScrubber {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Our ids inside a job id (`explain-<id>`, `prediction.succeeded/<id>`...). */
  idsIn(jobId: string): string[] {
    return jobId.match(OUR_ID) ?? [];
  }

  async scrub(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const wanted = new Set(ids);
    for (const queue of Object.values(QueueName)) {
      const stream = `${this.keys.bullPrefix}:${queue}:events`;
      let start = '-';
      for (;;) {
        const entries = await this.redis.xrange(stream, start, '+', 'COUNT', PAGE);
        const doomed = entries
          .filter(([, fields]) => fields.some((v) => (v.match(OUR_ID) ?? []).some((m) => wanted.has(m))))
          .map(([entryId]) => entryId);
        if (doomed.length) await this.redis.xdel(stream, ...doomed);
        if (entries.length < PAGE) break;
        start = `(${entries[entries.length - 1][0]}`;
      }
    }
  }
}
