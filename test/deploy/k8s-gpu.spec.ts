import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderAll, REPO_ROOT, type K8sObject } from './support/kustomize.render';
import { allContainers, containerEnv, requestsGpu, workloads, type Workload } from './support/workloads';

/** GPU placement: only GPU workers run the CUDA image, and they land on (and tolerate) GPU nodes. */
const rendered = renderAll();
const table = parse(readFileSync(join(REPO_ROOT, 'k8s/components/images/kustomization.yaml'), 'utf8')) as {
  images: { name: string; newName: string }[];
};
const CUDA_IMAGE = table.images.find((i) => i.name === 'dermafleet-gpu')!.newName;
const usesCuda = (image: string): boolean => image.split(':')[0] === CUDA_IMAGE;

describe.each([...rendered].filter(([t]) => t !== 'monitoring'))('k8s/%s', (target, objects) => {
  const all = workloads(objects);
  const gpu = all.filter((w) => requestsGpu(w.pod));

  it(
    target === 'overlays/gpu' || target === 'overlays/split' ? 'has GPU workers' : 'has no GPU workers',
    () => {
      expect(gpu.length > 0).toBe(target === 'overlays/gpu' || target === 'overlays/split');
    },
  );

  it('runs the CUDA image in exactly the pods that request a GPU (the API stays on the CPU image)', () => {
    for (const w of all)
      for (const c of allContainers(w.pod))
        expect({ pod: w.object.metadata.name, cuda: usesCuda(c.image) }).toEqual({
          pod: w.object.metadata.name,
          cuda: requestsGpu(w.pod),
        });
  });

  it('every image is resolved to a registry name and a pinned tag', () => {
    for (const c of all.flatMap((w) => allContainers(w.pod)))
      expect(c.image).toMatch(
        /^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[A-Za-z0-9._-]+$|^[a-z0-9-]+:[0-9][A-Za-z0-9._-]*$/,
      );
    for (const c of all.flatMap((w) => allContainers(w.pod))) expect(c.image).not.toMatch(/:latest$/);
  });

  it('GPU workers tolerate GPU taints, need a GPU node, never surge, ask for CUDA', () => {
    for (const w of gpu) expectGpuPlacement(w, objects);
  });
});

function expectGpuPlacement(w: Workload, objects: K8sObject[]): void {
  expect(w.pod.tolerations).toContainEqual(
    expect.objectContaining({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }),
  );
  const terms =
    w.pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  expect(terms.length).toBeGreaterThan(0);
  // every alternative term requires a node that GPU feature discovery marked
  for (const term of terms)
    expect(term.matchExpressions).toContainEqual({
      key: 'nvidia.com/gpu.present',
      operator: 'In',
      values: ['true'],
    });
  const strategy = (
    w.object.spec as { strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string } } }
  ).strategy;
  expect(strategy?.type).toBe('RollingUpdate');
  expect(strategy?.rollingUpdate?.maxSurge).toBe(0);
  for (const c of w.pod.containers) {
    expect(c.resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(containerEnv(c, objects).get('ORT_EXECUTION_PROVIDERS')).toMatch(/^(tensorrt,)?cuda/);
  }
}
