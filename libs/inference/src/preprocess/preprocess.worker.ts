import { parentPort } from 'node:worker_threads';
import { collectGarbage } from '../threads/collect-garbage';
import { resizeToModelInput, toPixelValues } from './preprocess';
import { type PoolReply, type PoolTask, serializeError } from './preprocess.pool.protocol';

/**
 * The thread side of PreprocessPool: one task at a time, results' pixel buffers transferred
 * (not copied) back. A bad image answers an error for its own task; the thread stays up.
 */
async function run(task: PoolTask): Promise<{ reply: PoolReply; transfer: ArrayBuffer[] }> {
  try {
    const resized = await resizeToModelInput(task.bytes, task.spec, task.options);
    if (task.kind === 'resize') {
      return {
        reply: { id: task.id, ok: true, result: resized },
        transfer: [resized.rgb.buffer as ArrayBuffer],
      };
    }
    const { width, height, source } = resized;
    const result = { data: toPixelValues(resized, task.spec), width, height, source };
    return { reply: { id: task.id, ok: true, result }, transfer: [result.data.buffer as ArrayBuffer] };
  } catch (err) {
    return { reply: { id: task.id, ok: false, error: serializeError(err) }, transfer: [] };
  }
}

/*
 * The full-size decode of an image (a 100 MP photo decodes to 300 MB) is a Buffer whose memory
 * goes back only when V8 collects it, which may be after the next image has been decoded: the
 * pool's pixel budget (PixelBudget) releases an image's pixels when its reply is sent, so without
 * a collection here the process held about one large decode more than the budget says (peak RSS
 * on six 9999x9999 PNGs: ~750 MiB; with it ~465). A full collection of this thread's small heap
 * costs a few ms, next to hundreds for such a decode; smaller images are left to V8.
 */
const LARGE_IMAGE_PIXELS = 16_000_000;

function releaseLargeDecode(reply: PoolReply): void {
  if (!reply.ok) return;
  const { source } = reply.result as { source?: { width: number; height: number } };
  if (source && source.width * source.height >= LARGE_IMAGE_PIXELS) collectGarbage();
}

const port = parentPort;
if (!port) throw new Error('preprocess.worker must run in a worker thread');
port.on('message', (task: PoolTask) => {
  void run(task).then(({ reply, transfer }) => {
    releaseLargeDecode(reply);
    port.postMessage(reply, transfer);
  });
});
