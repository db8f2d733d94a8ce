import { listSupportedBackends } from 'onnxruntime-node';

export const KNOWN_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderName = (typeof KNOWN_PROVIDERS)[number];

export interface SessionSettings {
  /** In order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders: ExecutionProviderName[];
  deviceId: number;
  /** 0 lets onnxruntime choose (all physical cores). */
  intraOpThreads: number;
}

export class MissingExecutionProviderError extends Error {}

/** The provider names this onnxruntime-node build offers (the CUDA ones only with cuda12 binaries). */
export function availableProviders(): string[] {
  return listSupportedBackends().map((b) => b.name);
}

/**
 * Checks every requested provider is in this build, so a GPU pod without CUDA binaries fails at
 * start with a sentence that says how to fix it, instead of silently running on CPU.
 */
export function assertProvidersAvailable(requested: readonly string[], available = availableProviders()): void {
  const missing = requested.filter((p) => !available.includes(p));
  if (missing.length === 0) return;
  const hint = missing.some((p) => p === 'cuda' || p === 'tensorrt')
    ? ' Install onnxruntime-node with its CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci, as the GPU image does).'
    : '';
  throw new MissingExecutionProviderError(
    `ORT_EXECUTION_PROVIDERS asks for ${missing.join(', ')}, but this onnxruntime-node build only has ${available.join(', ')}.${hint}`,
  );
}

/** onnxruntime-node's session option entries for our settings. */
export function providerConfigs(settings: SessionSettings): Array<string | { name: string; deviceId: number }> {
  return settings.executionProviders.map((name) =>
    name === 'cuda' || name === 'tensorrt' ? { name, deviceId: settings.deviceId } : name,
  );
}
