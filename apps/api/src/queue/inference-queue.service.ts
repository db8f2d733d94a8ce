import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { JobOf, predictionJobOptions, PredictionPriority, QueueName } from '@dermafleet/jobs';
import { Job, Queue } from 'bullmq';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { mapLimit } from '../common/map-limit';

type ClassifyJob = JobOf<'inference', 'classify'>;

/** Job removals in flight at once (each is one small Lua call). */
const REMOVE_CONCURRENCY = 16;

/** Jobs per addBulk call: large fan-outs go in pages of about this many (STYLE.md #9). */
const BULK_CHUNK = 1000;

/**
 * Typed enqueueing of new predictions: only known job names with their payloads. PIPELINE=split
 * sends them to the `preprocess` queue as `prepare` (CPU pods resize them, then hand them to the
 * GPU tier); all-in-one sends them straight to `inference` as `classify`. Same payload either way.
 */
@Injectable()
export class InferenceQueueService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @InjectQueue(QueueName.Inference) private readonly inference: Queue,
    @InjectQueue(QueueName.Preprocess) private readonly preprocess: Queue,
  ) {}

  private get split(): boolean {
    return this.config.pipeline === 'split';
  }

  private get queue(): Queue {
    return this.split ? this.preprocess : this.inference;
  }

  private get jobName(): 'prepare' | 'classify' {
    return this.split ? 'prepare' : 'classify';
  }

  /** The job id is the prediction id, so a repeated enqueue of one prediction is a no-op. */
  async enqueueClassify(payload: ClassifyJob, priority: PredictionPriority): Promise<void> {
    await this.queue.add(this.jobName, payload, this.options(payload, priority));
  }

  /** Many at once, in addBulk pages of BULK_CHUNK; each job id is its prediction id, as above. */
  async enqueueClassifyMany(
    jobs: ReadonlyArray<{ payload: ClassifyJob; priority: PredictionPriority }>,
  ): Promise<void> {
    for (let i = 0; i < jobs.length; i += BULK_CHUNK) {
      const page = jobs.slice(i, i + BULK_CHUNK);
      await this.queue.addBulk(
        page.map(({ payload, priority }) => ({
          name: this.jobName,
          data: payload,
          opts: this.options(payload, priority),
        })),
      );
    }
  }

  /**
   * The job a prediction has now, wherever it is: `inference` (classify, or classify-prepared
   * after the preprocessing tier), else `preprocess` (prepare). Undefined when it has none.
   */
  async jobOf(predictionId: string): Promise<Job | undefined> {
    return (await this.inference.getJob(predictionId)) ?? (await this.preprocess.getJob(predictionId));
  }

  /**
   * Removes the prediction jobs of these ids from both queues, in any state but running (a cancel
   * drops the queued ones; a retry must clear a finished one, since a job id cannot be added again
   * while its old job exists). Returns the ids whose job is running now (locked), left in place.
   */
  async removeJobs(ids: readonly string[]): Promise<string[]> {
    const locked = await mapLimit(ids, REMOVE_CONCURRENCY, async (id) => {
      const removed = await Promise.all([this.inference.remove(id), this.preprocess.remove(id)]);
      return removed.includes(0) ? id : null;
    });
    return locked.filter((id): id is string => id !== null);
  }

  private options(payload: ClassifyJob, priority: PredictionPriority) {
    return predictionJobOptions(
      this.split ? QueueName.Preprocess : QueueName.Inference,
      payload.predictionId,
      priority,
      this.config.reliability,
    );
  }
}
