/**
 * Every key of ours lives under one prefix (`KEY_PREFIX`, default `df`), so tests and several
 * deployments can share one Redis without touching each other's data (and never FLUSHALL).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  prediction(id: string): string {
    return `${this.prefix}:prd:${id}`;
  }

  /** Hash: a prediction's explanation record (ExplanationRepository; the erase scripts spell it too). */
  explanation(predictionId: string): string {
    return `${this.prefix}:expl:${predictionId}`;
  }

  batch(id: string): string {
    return `${this.prefix}:bat:${id}`;
  }

  /** Pub/sub channel on which a prediction's id is published when it becomes final (?wait=). */
  get finalChannel(): string {
    return `${this.prefix}:prediction-final`;
  }

  /**
   * Sorted set: every prediction that still needs work (queued or processing, its image in S3),
   * scored by when the reconciler should next look at it. Written in the same Lua call as the
   * record's state, so it is the one source of truth for "still to do" (docs/RELIABILITY.md).
   */
  get work(): string {
    return `${this.prefix}:work`;
  }

  /**
   * Sorted set: the outbox. Side effects a state change owes (its domain event, the durable S3
   * copy of a final prediction), added in the same Lua call as the change, scored by when they
   * are due again, and removed only once done (at least once).
   */
  get outbox(): string {
    return `${this.prefix}:outbox`;
  }

  /** String: the reconciler's leader lease (one reconciler per deployment). */
  get reconcilerLeader(): string {
    return `${this.prefix}:reconciler:leader`;
  }

  /** Prefix handed to BullMQ so its queues live beside our records. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}
