import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker.config';
import { renderAll, type K8sObject } from './support/kustomize.render';
import { cpuCores, requestsGpu, workloads, type Container } from './support/workloads';

/**
 * The environment each rendered container would get, fed to the apps' own config parsers: a
 * value the app would refuse at start (a bad provider list, a malformed key, a port out of range)
 * fails here instead of in a crash loop. secret.env is the committed example, as in the render.
 */
const rendered = [...renderAll()].filter(([target]) => target !== 'monitoring');

function podEnv(container: Container, objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  const data = (kind: string, name: string | undefined): Record<string, string> => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    const raw = (o?.data as Record<string, string> | undefined) ?? {};
    if (kind === 'ConfigMap') return raw;
    return Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, data('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, data('Secret', source.secretRef.name));
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const field = e.valueFrom?.resourceFieldRef;
    // requests.cpu with divisor 1: Kubernetes rounds up to whole cores
    if (field?.resource === 'requests.cpu')
      env[e.name] = String(Math.ceil(cpuCores(container.resources?.requests?.cpu)));
  }
  return env;
}

describe.each(rendered)('k8s/%s', (_target, objects) => {
  const apps = workloads(objects).flatMap((w) =>
    w.pod.containers
      .filter((c) => /dist\/apps\/(api|worker)\//.test((c.command ?? []).join(' ')))
      .map((c) => ({ w, c, env: podEnv(c, objects) })),
  );

  it('gives every API container an environment the API accepts, listening on its container port', () => {
    for (const { c, env } of apps.filter((a) => a.c.command!.join(' ').includes('apps/api/'))) {
      const config = loadApiConfig(env);
      expect(c.ports?.map((p) => p.containerPort)).toContain(config.port);
      expect(config.apiKeys).toBeDefined();
    }
  });

  it('gives every worker an environment the worker accepts, with threads from its CPU request', () => {
    const workers = apps.filter((a) => a.c.command!.join(' ').includes('apps/worker/'));
    expect(workers.length).toBeGreaterThan(0);
    for (const { w, c, env } of workers) {
      const config = loadWorkerConfig(env);
      expect(c.ports?.map((p) => p.containerPort)).toContain(config.port);
      expect(config.preprocessing.threads).toBe(Math.ceil(cpuCores(c.resources?.requests?.cpu)));
      expect(config.modelDir).toMatch(/^s3:\/\//);
      expect(config.session.executionProviders.includes('cuda')).toBe(requestsGpu(w.pod));
    }
  });
});
