import { parentPort } from 'node:worker_threads';
import { modelInputThumbnail } from './model-input-thumbnail';
import { resizeToModelInput, toPixelValues } from './preprocess';
import { type PoolReply, type PoolTask, serializeError } from './preprocess.pool.protocol';

/**
 * The thread side of PreprocessPool: one task at a time, results' pixel buffers transferred
 * (not copied) back. A bad image answers an error for its own task; the thread stays up.
 */
async function run(task: PoolTask): Promise<{ reply: PoolReply; transfer: ArrayBuffer[] }> {
  try {
    const resized = await resizeToModelInput(task.bytes, task.spec, task.options);
    const thumbnail = task.thumbnail ? await modelInputThumbnail(resized, task.thumbnail) : undefined;
    const extra = thumbnail ? { thumbnail } : {};
    if (task.kind === 'resize') {
      const result = { ...resized, ...extra };
      return { reply: { id: task.id, ok: true, result }, transfer: [result.rgb.buffer as ArrayBuffer] };
    }
    const { width, height, source } = resized;
    const result = { data: toPixelValues(resized, task.spec), width, height, source, ...extra };
    return { reply: { id: task.id, ok: true, result }, transfer: [result.data.buffer as ArrayBuffer] };
  } catch (err) {
    return { reply: { id: task.id, ok: false, error: serializeError(err) }, transfer: [] };
  }
}

const port = parentPort;
if (!port) throw new Error('preprocess.worker must run in a worker thread');
port.on('message', (task: PoolTask) => {
  void run(task).then(({ reply, transfer }) => port.postMessage(reply, transfer));
});
