import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

/**
 * Jest runs each test file in its own V8 realm, so the typed arrays its code creates are not
 * `instanceof` the ones onnxruntime-node's native binding creates (and vice versa): every
 * session.run() then fails with "A float32 tensor's data must be type of function Float32Array"
 * (microsoft/onnxruntime#16622). Giving the test realm the host realm's binary constructors
 * makes both sides agree. Use it in a spec with the docblock
 * (jest.config.js sets it for every suite)
 * (or as jest.config's testEnvironment for every suite that runs ONNX Runtime).
 */
const HOST_BINARY_GLOBALS = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

/**
 * In-process apps of a finished test file can leave a BullMQ RedisConnection that emits "Connection
 * is closed." after its queue closed mid-initialisation and dropped its listeners (BullMQ 5.61; the
 * apps ignore it through libs/jobs' ignoreClosedBullmqConnections, but that listener lives in the
 * finished file's realm). In the runner's own process, that one rejection is ignored too; any
 * other unhandled rejection still ends the run.
 */
const CLOSED_GUARD = Symbol.for('dermafleet.jest-closed-connection-guard');
if (!(process as unknown as Record<symbol, boolean>)[CLOSED_GUARD]) {
  (process as unknown as Record<symbol, boolean>)[CLOSED_GUARD] = true;
  process.on('unhandledRejection', (reason: unknown) => {
    const e = reason as { message?: string; code?: string; context?: { message?: string } } | null;
    const closed = 'Connection is closed.';
    if (e?.message === closed || (e?.code === 'ERR_UNHANDLED_ERROR' && e.context?.message === closed)) return;
    throw reason;
  });
}

export default class OnnxRuntimeTestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const testGlobals = this.global as unknown as Record<string, unknown>;
    const hostGlobals = globalThis as unknown as Record<string, unknown>;
    for (const name of HOST_BINARY_GLOBALS) testGlobals[name] = hostGlobals[name];
  }
}
