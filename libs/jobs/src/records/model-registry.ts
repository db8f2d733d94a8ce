import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys';
import { modelRef, type ModelLabels } from './record-codec';

/**
 * The labels, id and version of every model that produced a compact result, once per model in
 * Redis (`<prefix>:models:<ref>`, no TTL: a few hundred bytes per model version ever deployed)
 * and cached in this process for good (a version's labels never change).
 */
export class ModelRegistry {
  private readonly known = new Map<string, ModelLabels>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Stores the model before the first result that refers to it (once per process and model). */
  async publish(model: ModelLabels): Promise<void> {
    const ref = modelRef(model.version);
    if (this.known.get(ref)?.version === model.version) return;
    await this.redis.set(this.key(ref), JSON.stringify(model));
    this.known.set(ref, model);
  }

  /** Loads whichever of these references this process has not seen yet (one round trip). */
  async load(refs: Iterable<string | null>): Promise<void> {
    const missing = [...new Set([...refs].filter((r): r is string => !!r && !this.known.has(r)))];
    if (missing.length === 0) return;
    const values = await this.redis.mget(...missing.map((r) => this.key(r)));
    values.forEach((json, i) => {
      if (json) this.known.set(missing[i], JSON.parse(json) as ModelLabels);
    });
  }

  /** A loaded model (call `load` first). */
  get = (ref: string): ModelLabels => {
    const model = this.known.get(ref);
    if (!model) throw new Error(`The model ${ref} of a stored result is not in Redis (${this.key(ref)}).`);
    return model;
  };

  private key(ref: string): string {
    return `${this.keys.prefix}:models:${ref}`;
  }
}
