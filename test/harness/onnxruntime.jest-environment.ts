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

export default class OnnxRuntimeTestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const testGlobals = this.global as unknown as Record<string, unknown>;
    const hostGlobals = globalThis as unknown as Record<string, unknown>;
    for (const name of HOST_BINARY_GLOBALS) testGlobals[name] = hostGlobals[name];
  }
}
