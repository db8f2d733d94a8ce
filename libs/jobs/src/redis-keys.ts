/**
 * Every key of ours lives under one prefix (`KEY_PREFIX`, default `df`), so tests and several
 * deployments can share one Redis without touching each other's data (and never FLUSHALL).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  prediction(id: string): string {
    return `${this.prefix}:prd:${id}`;
  }

  batch(id: string): string {
    return `${this.prefix}:bat:${id}`;
  }

  /** Pub/sub channel on which a prediction's id is published when it becomes final (?wait=). */
  get finalChannel(): string {
    return `${this.prefix}:prediction-final`;
  }

  /** Prefix handed to BullMQ so its queues live beside our records. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}
