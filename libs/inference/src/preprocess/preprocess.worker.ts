import { parentPort } from 'node:worker_threads';
import { preprocessImage, resizeToModelInput } from './preprocess';
import { type PoolReply, type PoolTask, serializeError } from './preprocess.pool.protocol';

/**
 * The thread side of PreprocessPool: one task at a time, results' pixel buffers transferred
 * (not copied) back. A bad image answers an error for its own task; the thread stays up.
 */
async function run(task: PoolTask): Promise<{ reply: PoolReply; transfer: ArrayBuffer[] }> {
  try {
    if (task.kind === 'resize') {
      const result = await resizeToModelInput(task.bytes, task.spec, task.options);
      return { reply: { id: task.id, ok: true, result }, transfer: [result.rgb.buffer as ArrayBuffer] };
    }
    const result = await preprocessImage(task.bytes, task.spec, task.options);
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
