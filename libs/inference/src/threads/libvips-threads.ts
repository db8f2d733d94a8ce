import sharp from 'sharp';

/**
 * libvips threads per sharp call, process-wide (every worker thread shares the one libvips).
 * sharp's default is one per CPU for every call; with a pool of preprocessing threads already
 * one per core, that would be cores x cores threads fighting over the session's cores.
 */
export function limitLibvipsThreads(perCall: number): void {
  sharp.concurrency(perCall);
}
