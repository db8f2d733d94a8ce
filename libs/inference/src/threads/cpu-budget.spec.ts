import { availableCores, cgroupCpuQuota } from './cpu-budget';
import { threadPlan } from './thread-plan';

const files =
  (contents: Record<string, string>) =>
  (path: string): string | undefined =>
    contents[path];

describe('cores the worker really has', () => {
  it('reads a cgroup v2 quota, and none from "max"', () => {
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
  });

  it('reads a cgroup v1 quota, and none from -1', () => {
    const v1 = (quota: string) =>
      files({
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': quota,
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      });
    expect(cgroupCpuQuota(v1('200000'))).toBe(2);
    expect(cgroupCpuQuota(v1('-1'))).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
  });

  it('caps the CPUs of the affinity mask by the quota, rounding a fraction up', () => {
    const quota = (q: string) => files({ '/sys/fs/cgroup/cpu.max': `${q} 100000` });
    expect(availableCores(quota('200000'), 64)).toBe(2); // limits.cpu: 2 on a 64-core node
    expect(availableCores(quota('150000'), 64)).toBe(2);
    expect(availableCores(quota('50000'), 64)).toBe(1);
    expect(availableCores(quota('800000'), 4)).toBe(4);
    expect(availableCores(files({}), 16)).toBe(16);
  });

  it('sizes every pool from those cores unless the operator set a count', () => {
    expect(threadPlan({}, 2)).toEqual({
      cores: 2,
      intraOpThreads: 2,
      preprocessThreads: 2,
      sharpConcurrency: 1,
      uvThreadpoolSize: 4,
    });
    expect(threadPlan({ intraOpThreads: 6, preprocessThreads: 0 }, 8)).toMatchObject({
      intraOpThreads: 6,
      preprocessThreads: 8,
      uvThreadpoolSize: 10,
    });
  });
});
