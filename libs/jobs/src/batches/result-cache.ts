import type { Redis } from 'ioredis';
import type { ImageInfo, PredictionResult } from '../prediction.types';
import { RedisKeys } from '../redis-keys';
import { ModelRegistry } from '../records/model-registry';
import { decodeImage, decodeResult, resultModelRef } from '../records/record-codec';
import { BatchKeys } from './batch.keys';

/** The model behind the latest fresh result (written by PredictionRepository on every success). */
export interface CurrentModel {
  id: string;
  version: string;
  preprocessing: PredictionResult['preprocessing'];
  /** Class labels in the model's index order. */
  labels: string[];
}

export interface CachedResult {
  /** The prediction whose result is reused. */
  predictionId: string;
  /** Its result with `cached: true`. */
  result: PredictionResult;
  /** Its image header (same bytes, so the same header). */
  image: ImageInfo;
}

/**
 * Deduplication: the same image bytes (sha256) of the same tenant, for the same model version and
 * preprocessing settings, are inferred once. A fresh success writes
 * `<prefix>:dedupe:<tenant>:<sha256>:<version>:<mode>:<auto_orient>` -> its prediction id (TTL =
 * retention) and publishes its model as `<prefix>:model:current`; intake looks both up. The
 * entry points at a record, never a copy, so it costs ~150 bytes per distinct image.
 */
export class ResultCache {
  private readonly keys: BatchKeys;
  private readonly models: ModelRegistry;

  constructor(
    private readonly redis: Redis,
    private readonly redisKeys: RedisKeys,
  ) {
    this.keys = new BatchKeys(redisKeys);
    this.models = new ModelRegistry(redis, redisKeys);
  }

  async currentModel(): Promise<CurrentModel | null> {
    const json = await this.redis.get(this.keys.currentModel);
    return json ? (JSON.parse(json) as CurrentModel) : null;
  }

  /** The stored result for these bytes and this model, or null (also once the original expired). */
  async lookup(tenant: string, sha256: string, model: CurrentModel): Promise<CachedResult | null> {
    const { version, preprocessing } = model;
    const key = this.keys.dedupe(tenant, sha256, version, preprocessing.mode, preprocessing.auto_orient);
    const predictionId = await this.redis.get(key);
    if (!predictionId) return null;
    const [owner, status, result, image] = await this.redis.hmget(
      this.redisKeys.prediction(predictionId),
      'tenant',
      'status',
      'result',
      'image',
    );
    if (owner !== tenant || status !== 'succeeded' || !result || !image) return null;
    await this.models.load([resultModelRef(result)]);
    return {
      predictionId,
      result: { ...decodeResult(result, this.models.get), cached: true },
      image: decodeImage(image),
    };
  }
}
