import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';

export const KNOWN_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderName = (typeof KNOWN_PROVIDERS)[number];

export interface SessionSettings {
  /** In order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders: ExecutionProviderName[];
  deviceId: number;
  /** 0: one per core this process may use (session-options.ts), not onnxruntime's own count. */
  intraOpThreads: number;
  /**
   * false: onnxruntime's idle pool threads sleep instead of spinning. Spinning buys a little
   * latency on an otherwise idle CPU but burns ~25% more CPU per batch, taken from the
   * preprocessing threads and the event loop beside it. Absent: onnxruntime's default (spin).
   */
  allowSpinning?: boolean;
}

export class MissingExecutionProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingExecutionProviderError';
  }
}

/** One entry of onnxruntime-node's `listSupportedBackends()`. */
export interface BackendInfo {
  name: string;
  /** false: the binding knows the provider, but its library is installed separately (CUDA). */
  bundled: boolean;
}

/**
 * Where onnxruntime-node keeps its native binding and, once installed, the provider libraries
 * (the path its own binding.js and install script use).
 */
function bindingDir(): string {
  return join(
    dirname(require.resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
}

/** The provider library file names, as onnxruntime names them on this platform. */
function providerLibraries(name: string, platform: NodeJS.Platform): string[] {
  const file = (base: string): string =>
    platform === 'win32' ? `${base}.dll` : platform === 'darwin' ? `lib${base}.dylib` : `lib${base}.so`;
  return [file('onnxruntime_providers_shared'), file(`onnxruntime_providers_${name}`)];
}

/**
 * The provider names this onnxruntime-node install can actually load. The CPU build still lists
 * cuda and tensorrt (`bundled: false`): their libraries arrive only with
 * ONNXRUNTIME_NODE_INSTALL=cuda12, so an unbundled provider counts only when its files are there.
 */
export function availableProviders(
  backends: readonly BackendInfo[] = listSupportedBackends(),
  fileExists: (path: string) => boolean = existsSync,
  dir: string = bindingDir(),
  platform: NodeJS.Platform = process.platform,
): string[] {
  return backends
    .filter((b) => b.bundled || providerLibraries(b.name, platform).every((f) => fileExists(join(dir, f))))
    .map((b) => b.name);
}

/**
 * Checks every requested provider is in this build, so a GPU pod without CUDA binaries fails at
 * start with a sentence that says how to fix it, instead of an obscure library-loading error.
 */
export function assertProvidersAvailable(
  requested: readonly string[],
  available = availableProviders(),
): void {
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
export function providerConfigs(
  settings: SessionSettings,
): Array<string | { name: string; deviceId: number }> {
  return settings.executionProviders.map((name) =>
    name === 'cuda' || name === 'tensorrt' ? { name, deviceId: settings.deviceId } : name,
  );
}
