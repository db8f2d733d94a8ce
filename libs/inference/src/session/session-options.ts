import type * as ort from 'onnxruntime-node';
import { availableCores } from '../threads/cpu-budget';
import { providerConfigs, SessionSettings } from './execution-providers';

/** Session config entries (onnxruntime_session_options_config_keys.h): idle pool threads sleep. */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

/**
 * onnxruntime's options for `settings`. `intraOpThreads: 0` means one thread per core this
 * process may use (affinity and cgroup quota, as the worker's thread plan counts them), never
 * onnxruntime's own default: that counts physical cores as its cpuinfo reads the CPU topology,
 * and on a 2-vCPU AMD EPYC under KVM (2026-11-28) it read one, so every session left at the
 * default (`dermafleet classify`, the benches' raw ceiling) ran the model on one core, at
 * 6.2 images/s against 11.9 with two threads.
 */
export function sessionOptions(
  settings: SessionSettings,
  cores: () => number = availableCores,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: providerConfigs(settings),
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.intraOpThreads > 0 ? settings.intraOpThreads : cores(),
    ...(settings.allowSpinning === false ? { extra: NO_SPINNING } : {}),
  };
}
