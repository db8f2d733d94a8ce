import { QueueEvents } from 'bullmq';

export interface PipelineRunResult {
  images: number;
  failed: number;
  /** First upload sent -> last result available (its job completed, after the result was written). */
  seconds: number;
  imagesPerSecond: number;
}

/** One image through POST /v1/predictions (bulk), as a client sends it; anything but 202 throws. */
export async function uploadOne(apiUrl: string, bytes: Buffer, name: string): Promise<void> {
  const form = new FormData();
  form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
  form.append('priority', 'bulk');
  const res = await fetch(`${apiUrl}/v1/predictions`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status !== 202) throw new Error(`upload of ${name} answered ${res.status}: ${await res.text()}`);
}

/**
 * Uploads every image through the API (a few at a time, as a client would) and waits until each
 * prediction's job has completed, i.e. its result is readable. `onProgress` is called with the
 * number finished so far (for memory sampling along the way).
 */
export async function runThroughPipeline(options: {
  apiUrl: string;
  redisUrl: string;
  bullPrefix: string;
  images: Buffer[];
  uploadConcurrency?: number;
  timeoutMs?: number;
  onProgress?: (done: number) => void;
}): Promise<PipelineRunResult> {
  const { images } = options;
  const events = new QueueEvents('inference', {
    connection: { url: options.redisUrl },
    prefix: options.bullPrefix,
  });
  await events.waitUntilReady();
  let done = 0;
  let failed = 0;
  let lastAt = 0;
  const finished = new Promise<void>((resolve) => {
    const settle = (isFailure: boolean): void => {
      done++;
      if (isFailure) failed++;
      lastAt = performance.now();
      options.onProgress?.(done);
      if (done === images.length) resolve();
    };
    events.on('completed', () => settle(false));
    events.on('failed', () => settle(true));
  });
  const started = performance.now();
  let next = 0;
  const uploader = async (): Promise<void> => {
    while (next < images.length) {
      const i = next++;
      await uploadOne(options.apiUrl, images[i], `bench-${i}.jpg`);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.uploadConcurrency ?? 4 }, uploader));
    const timeoutMs = options.timeoutMs ?? 30 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${done} of ${images.length} finished`)), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  } finally {
    await events.close();
  }
  const seconds = (lastAt - started) / 1000;
  return { images: images.length, failed, seconds, imagesPerSecond: images.length / seconds };
}
