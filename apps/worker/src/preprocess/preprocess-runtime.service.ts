import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  InvalidModelError,
  limitLibvipsThreads,
  PreprocessPool,
  toPreprocessorSpec,
  type PreprocessingSettings,
  type PreprocessorSpec,
  type ResizedImage,
} from '@dermafleet/inference';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { localModelDir } from '../inference/model-source';

/**
 * The preprocessing tier's runtime (WORKER_MODE=preprocess): a pool of decode/resize threads and
 * the model's preprocessor_config.json, nothing more. No ONNX session and no model graph: these
 * are CPU pods, and the model directory may hold only preprocessor_config.json.
 */
@Injectable()
export class PreprocessRuntimeService implements OnApplicationShutdown {
  private readonly logger = new Logger('Preprocess');
  private pool: PreprocessPool | undefined;
  private specValue: PreprocessorSpec | undefined;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async open(): Promise<void> {
    const dir = await localModelDir(this.config, ['preprocessor_config.json']);
    this.specValue = await readPreprocessorSpec(dir);
    limitLibvipsThreads(this.config.threads.sharpConcurrency);
    this.pool = new PreprocessPool({
      size: this.config.threads.preprocessThreads,
      taskTimeoutMs: this.config.inferenceTimeoutMs,
    });
    const { width, height } = this.specValue;
    this.logger.log(
      `Preprocessing to ${width}x${height} RGB (${this.config.preprocessing.mode} mode) in ${this.pool.size} threads; no model session in this pod`,
    );
  }

  /** The preprocessing that inputs prepared here get (the GPU tier reports it in each result). */
  get preprocessing(): PreprocessingSettings {
    return { mode: this.config.preprocessing.mode, autoOrient: this.config.preprocessing.autoOrient };
  }

  /** Jobs in hand: two per thread, so each thread has its next image downloaded while it works. */
  get concurrency(): number {
    return (this.pool?.size ?? 1) * 2;
  }

  /** The model input: the image decoded and resized to the model's square, RGB bytes. */
  resize(bytes: Buffer): Promise<ResizedImage> {
    if (!this.pool || !this.specValue) throw new Error('The preprocessing runtime is not open yet.');
    const { mode, autoOrient, maxPixels } = this.config.preprocessing;
    return this.pool.resize(bytes, this.specValue, { mode, autoOrient, maxPixels });
  }

  get ready(): boolean {
    return this.pool !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }
}

/** preprocessor_config.json alone, as loadModelDirectory would read it (without hashing model.onnx). */
async function readPreprocessorSpec(modelDir: string): Promise<PreprocessorSpec> {
  const path = join(resolve(modelDir), 'preprocessor_config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InvalidModelError(`The preprocessing tier needs ${path}: ${(err as Error).message}`);
  }
  try {
    return toPreprocessorSpec(raw);
  } catch (err) {
    throw new InvalidModelError(`${path} is not usable: ${(err as Error).message}`);
  }
}
