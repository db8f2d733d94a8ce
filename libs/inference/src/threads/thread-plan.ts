import { availableCores } from './cpu-budget';

export interface ThreadPlan {
  /** Cores the plan is drawn from (cgroup quota and affinity). */
  cores: number;
  /** onnxruntime intra-op threads of the one session. */
  intraOpThreads: number;
  /** Preprocessing worker threads (each decodes one image at a time). */
  preprocessThreads: number;
  /** libvips threads per sharp call: 1, since parallelism comes from the preprocessing pool. */
  sharpConcurrency: number;
  /** libuv's pool, which runs every sharp call of every preprocessing thread, plus fs and crypto. */
  uvThreadpoolSize: number;
}

/**
 * Thread counts from the cores this worker really has, so that nothing is oversubscribed:
 * left alone, onnxruntime sizes its pool from the node's physical cores (ignoring a pod's CPU
 * limit), sharp gives every call as many libvips threads as there are CPUs, and each
 * preprocessing thread multiplies that again. A value above 0 given by the operator wins.
 */
export function threadPlan(
  requested: { intraOpThreads?: number; preprocessThreads?: number } = {},
  cores: number = availableCores(),
): ThreadPlan {
  const intraOpThreads = requested.intraOpThreads || cores;
  const preprocessThreads = requested.preprocessThreads || cores;
  return {
    cores,
    intraOpThreads,
    preprocessThreads,
    sharpConcurrency: 1,
    uvThreadpoolSize: Math.max(4, preprocessThreads + 2),
  };
}
