import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { QueueEvents } from 'bullmq';

export interface PipelineRunResult {
  images: number;
  failed: number;
  /** First upload sent -> last result available (its job completed, after the result was written). */
  seconds: number;
  imagesPerSecond: number;
}

/** Keep-alive connections for the uploads, as an SDK or curl --keepalive would hold them. */
const uploadAgent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One image through POST /v1/predictions (bulk), as a client sends it; anything but 202 throws.
 * A multipart body written in three pieces over node:http, not fetch + FormData: this load
 * generator shares the measured cores, and undici's fetch (web streams, a Blob, a FormData
 * encoder) cost it about 2 ms of CPU per upload, counted against the pipeline it stands outside of.
 */
export async function uploadOne(apiUrl: string, bytes: Buffer, name: string): Promise<void> {
  const boundary = `dermafleet-bench-${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  );
  const tail = Buffer.from(
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="priority"\r\n\r\nbulk\r\n--${boundary}--\r\n`,
  );
  const send = (agent: Agent | false) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${apiUrl}/v1/predictions`, {
        method: 'POST',
        agent,
        timeout: 60_000,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + bytes.length + tail.length,
        },
      });
      req.on('timeout', () => req.destroy(new Error(`upload of ${name}: no progress for 60 s`)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(Object.assign(err, { reusedSocket: req.reusedSocket })),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.write(head);
      req.write(bytes);
      req.end(tail);
    });
  let answer: { status: number; body: string };
  try {
    answer = await send(uploadAgent);
  } catch (err) {
    // A kept-alive connection the server closed just as this request went out (Node's documented
    // race, http.Agent): sent once more on a connection of its own. Should the API have read the
    // first after all, the image is predicted twice: rare enough for a load generator.
    const { code, reusedSocket } = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
    if (!reusedSocket || code !== 'ECONNRESET') throw err;
    answer = await send(false);
  }
  if (answer.status !== 202) throw new Error(`upload of ${name} answered ${answer.status}: ${answer.body}`);
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
