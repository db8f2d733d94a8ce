import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * CPUs the container's CFS quota allows, or undefined without a quota. cgroup v2 writes
 * `cpu.max` as "<quota> <period>" ("max" = none); v1 splits it into cfs_quota_us (-1 = none) and
 * cfs_period_us. A pod with `limits.cpu: 2` on a 64-core node reads 2 here, while
 * os.availableParallelism() still says 64 (it counts the affinity mask, not the quota).
 */
export function cgroupCpuQuota(read: ReadText = readText): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 && v2.length === 2) {
    const [quota, period] = v2;
    if (quota === 'max') return undefined;
    return Number(quota) / Number(period);
  }
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim());
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
  if (quota > 0 && period > 0) return quota / period;
  return undefined;
}

/**
 * Whole cores this process may keep busy: the affinity mask's CPUs, capped by the cgroup quota
 * (a fractional quota rounds up: 1.5 CPUs still runs two threads, each throttled a little).
 */
export function availableCores(
  read: ReadText = readText,
  parallelism: number = availableParallelism(),
): number {
  const quota = cgroupCpuQuota(read);
  const cores = quota === undefined ? parallelism : Math.min(parallelism, Math.ceil(quota));
  return Math.max(1, cores);
}
