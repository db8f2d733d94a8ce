import { join } from 'node:path';
import {
  assertProvidersAvailable,
  availableProviders,
  MissingExecutionProviderError,
  providerConfigs,
  type SessionSettings,
} from './execution-providers';

/** What onnxruntime-node 1.23's CPU build answers to listSupportedBackends() on Linux x64. */
const CPU_BUILD_BACKENDS = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const DIR = '/ort/bin/napi-v6/linux/x64';

describe('execution provider selection', () => {
  it('counts an unbundled provider (cuda, tensorrt) only when its libraries were installed', () => {
    expect(availableProviders(CPU_BUILD_BACKENDS, () => false, DIR, 'linux')).toEqual(['cpu', 'webgpu']);
    const cudaInstall = new Set(
      [
        'libonnxruntime_providers_shared.so',
        'libonnxruntime_providers_cuda.so',
        'libonnxruntime_providers_tensorrt.so',
      ].map((f) => join(DIR, f)),
    );
    expect(availableProviders(CPU_BUILD_BACKENDS, (p) => cudaInstall.has(p), DIR, 'linux')).toEqual([
      'cpu',
      'webgpu',
      'cuda',
      'tensorrt',
    ]);
    const winCuda = new Set(
      ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll'].map((f) => join(DIR, f)),
    );
    expect(availableProviders(CPU_BUILD_BACKENDS, (p) => winCuda.has(p), DIR, 'win32')).toEqual([
      'cpu',
      'webgpu',
      'cuda',
    ]);
  });

  it('says how to install the CUDA binaries when cuda is asked of a CPU-only build', () => {
    const available = availableProviders(CPU_BUILD_BACKENDS, () => false, DIR, 'linux');
    const check = () => assertProvidersAvailable(['cuda', 'cpu'], available);
    expect(check).toThrow(MissingExecutionProviderError);
    expect(check).toThrow(
      'ORT_EXECUTION_PROVIDERS asks for cuda, but this onnxruntime-node build only has cpu, webgpu. ' +
        'Install onnxruntime-node with its CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci, as the GPU image does).',
    );
    expect(() => assertProvidersAvailable(['tensorrt'], available)).toThrow(
      /ONNXRUNTIME_NODE_INSTALL=cuda12/,
    );
  });

  it('names a missing non-CUDA provider without the CUDA hint, and accepts what is there', () => {
    expect(() => assertProvidersAvailable(['coreml'], ['cpu'])).toThrow(
      'ORT_EXECUTION_PROVIDERS asks for coreml, but this onnxruntime-node build only has cpu.',
    );
    expect(() => assertProvidersAvailable(['cuda', 'cpu'], ['cpu', 'cuda'])).not.toThrow();
  });

  it("finds this machine's CPU build: cpu yes; cuda only with the CUDA libraries installed", () => {
    const here = availableProviders();
    expect(here).toContain('cpu');
    if (!here.includes('cuda')) expect(() => assertProvidersAvailable(['cuda'])).toThrow(/cuda12/);
  });

  it('passes the device id to cuda and tensorrt, and plain names to the rest, in order', () => {
    const settings: SessionSettings = {
      executionProviders: ['tensorrt', 'cuda', 'cpu'],
      deviceId: 3,
      intraOpThreads: 0,
    };
    expect(providerConfigs(settings)).toEqual([
      { name: 'tensorrt', deviceId: 3 },
      { name: 'cuda', deviceId: 3 },
      'cpu',
    ]);
    expect(providerConfigs({ ...settings, executionProviders: ['cpu'] })).toEqual(['cpu']);
  });
});
