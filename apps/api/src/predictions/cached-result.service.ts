import { Injectable } from '@nestjs/common';
import { type CachedResult, type CurrentModel, ResultCache } from '@dermafleet/jobs';

/** How long the API trusts its copy of `model:current` (a model rollout shows up within this). */
const MODEL_TTL_MS = 2000;

/**
 * Dedupe lookups for intake. The API has no model of its own: it learns the model version and
 * preprocessing settings from `<prefix>:model:current`, which every fresh result publishes, and
 * answers an image from the stored result for that version. Before the first result of a fleet
 * nothing can be reused anyway. During a rollout, results of the version that finished last are
 * reused until the new one has produced its first result.
 */
@Injectable()
export class CachedResultService {
  private model: { value: CurrentModel | null; until: number } = { value: null, until: 0 };

  constructor(private readonly cache: ResultCache) {}

  async currentModel(): Promise<CurrentModel | null> {
    if (Date.now() >= this.model.until) {
      const value = await this.cache.currentModel();
      // No model yet is not remembered: the fleet's first result should be reusable at once.
      this.model = { value, until: value ? Date.now() + MODEL_TTL_MS : 0 };
    }
    return this.model.value;
  }

  /** The reusable result (cached: true) for these bytes, or null. */
  async find(tenant: string, sha256: string): Promise<CachedResult | null> {
    const model = await this.currentModel();
    return model ? this.cache.lookup(tenant, sha256, model) : null;
  }
}
