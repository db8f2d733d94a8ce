import { loadWorkerConfig } from './worker.config';

describe('worker configuration', () => {
  it('needs MODEL_DIR and says what it expects', () => {
    expect(() => loadWorkerConfig({})).toThrow(
      /^Configuration error: MODEL_DIR is required and must be the path of a model directory/,
    );
  });

  it('derives WORKER_PORT from PORT and applies defaults', () => {
    const config = loadWorkerConfig({ MODEL_DIR: '/models/vit', PORT: '4000' });
    expect(config.port).toBe(4001);
    expect(config).toMatchObject({
      mode: 'all-in-one',
      batch: { maxSize: 8, maxDelayMs: 10, prefetchDepth: 1 },
      session: { executionProviders: ['cpu'], deviceId: 0, intraOpThreads: 0 },
      preprocessing: { mode: 'exact', autoOrient: false },
    });
  });

  it('parses execution providers in order of preference', () => {
    const config = loadWorkerConfig({
      MODEL_DIR: '/m',
      ORT_EXECUTION_PROVIDERS: 'CUDA, cpu',
      ORT_DEVICE_ID: '1',
      WORKER_PORT: '9100',
    });
    expect(config.session).toEqual({
      executionProviders: ['cuda', 'cpu'],
      deviceId: 1,
      intraOpThreads: 0,
      allowSpinning: false,
    });
    expect(config.port).toBe(9100);
  });

  it.each([
    [
      { ORT_EXECUTION_PROVIDERS: 'cuda,tpu' },
      /ORT_EXECUTION_PROVIDERS must be a comma-separated list of cpu, cuda, tensorrt/,
    ],
    [{ BATCH_MAX_SIZE: '0' }, /BATCH_MAX_SIZE must be a whole number from 1 to 256 \(got "0"\)/],
    [{ WORKER_MODE: 'gpu' }, /WORKER_MODE must be one of all-in-one, preprocess, infer/],
    [{ PREPROCESS_MODE: 'approx' }, /PREPROCESS_MODE must be exact or fast/],
    [{ AUTO_ORIENT: 'sometimes' }, /AUTO_ORIENT must be true or false/],
  ])('refuses %j with a sentence naming the variable', (env, message) => {
    expect(() => loadWorkerConfig({ MODEL_DIR: '/m', ...env })).toThrow(message);
  });
});
