import { getRoutes, queueNames } from './support/app-source';
import { renderAll, type K8sObject } from './support/kustomize.render';
import { containerEnv, workloads } from './support/workloads';

/**
 * KEDA: each scaled tier reads its own queue's true backlog from the API's JSON endpoint, scales
 * to zero, falls back when the metric cannot be read, and owns its replica count alone.
 */
interface ScaledObject extends K8sObject {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    fallback?: { failureThreshold: number; replicas: number };
    triggers: { type: string; metricType?: string; metadata: Record<string, string> }[];
  };
}
const rendered = [...renderAll()].filter(([target]) => target !== 'monitoring');
const RATE = 'dermafleet.io/images-per-second-per-replica';
const DRAIN = 'dermafleet.io/target-drain-seconds';

/** The queue a worker Deployment consumes, as the worker decides it from WORKER_MODE. */
function queueOf(deployment: K8sObject, objects: K8sObject[]): string {
  const [w] = workloads([deployment]);
  const mode = containerEnv(w.pod.containers[0], objects).get('WORKER_MODE') ?? 'all-in-one';
  return mode === 'preprocess' ? 'preprocess' : 'inference';
}

describe.each(rendered)('k8s/%s', (target, objects) => {
  const scaled = objects.filter((o): o is ScaledObject => o.kind === 'ScaledObject');
  const expected = { base: 1, 'overlays/dev': 0, 'overlays/gpu': 1, 'overlays/split': 2 }[target as string];

  it(`has ${expected} ScaledObject(s), each on its own queue`, () => {
    expect(scaled).toHaveLength(expected!);
    const queues = scaled.map((s) => s.spec.triggers[0].metadata.valueLocation);
    expect(new Set(queues).size).toBe(queues.length);
  });

  it('has a preprocessing tier exactly when the API sends new images to it (PIPELINE=split)', () => {
    const api = workloads(objects).find((w) => w.object.metadata.name === 'dermafleet-api')!;
    const split = containerEnv(api.pod.containers[0], objects).get('PIPELINE') === 'split';
    const consumers = objects
      .filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'dermafleet-api')
      .map((d) => queueOf(d, objects));
    expect(consumers.includes('preprocess')).toBe(split);
    expect(consumers).toContain('inference');
  });

  it('leaves the replica count of every scaled Deployment to KEDA alone (no replicas:, no HPA)', () => {
    for (const s of scaled) {
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === s.spec.scaleTargetRef.name,
      );
      expect(deployment).toBeDefined();
      expect((deployment!.spec as { replicas?: number }).replicas).toBeUndefined();
      const hpas = objects.filter(
        (o) =>
          o.kind === 'HorizontalPodAutoscaler' &&
          (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === s.spec.scaleTargetRef.name,
      );
      expect(hpas).toEqual([]);
    }
  });

  it('scales to zero, wakes on any waiting image, and falls back (never "0 because unknown")', () => {
    for (const s of scaled) {
      expect(s.spec.minReplicaCount).toBe(0);
      const [trigger] = s.spec.triggers;
      expect(s.spec.triggers).toHaveLength(1);
      expect(trigger.metadata.activationTargetValue).toBe('0');
      // KEDA applies fallback only to AverageValue metrics
      expect(trigger.metricType ?? 'AverageValue').toBe('AverageValue');
      expect(s.spec.fallback?.failureThreshold).toBeGreaterThan(0);
      expect(s.spec.fallback?.replicas).toBeGreaterThan(0);
      expect(s.spec.fallback!.replicas).toBeLessThanOrEqual(s.spec.maxReplicaCount ?? 100);
    }
  });

  it("reads the API's backlog JSON: a Service of the API, its port, a route it serves, a queue that exists", () => {
    const apiRoutes = getRoutes('api');
    const queues = queueNames();
    for (const s of scaled) {
      const [trigger] = s.spec.triggers;
      expect(trigger.type).toBe('metrics-api');
      expect(trigger.metadata.format).toBe('json');
      const url = new URL(trigger.metadata.url);
      const [serviceName, namespace, svc] = url.hostname.split('.');
      expect([namespace, svc]).toEqual([s.metadata.namespace, 'svc']);
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
      expect(service).toBeDefined();
      const spec = service!.spec as { selector: Record<string, string>; ports: { port: number }[] };
      expect(spec.ports.map((p) => p.port)).toContain(Number(url.port || 80));
      const backends = workloads(objects).filter((w) =>
        Object.entries(spec.selector).every(([k, v]) => w.podLabels[k] === v),
      );
      expect(backends.flatMap((w) => w.pod.containers.map((c) => (c.command ?? []).join(' ')))).toEqual([
        expect.stringContaining('dist/apps/api/src/main.js'),
      ]);
      expect(apiRoutes).toContain(url.pathname);
      const location = /^queues\.([a-z-]+)\.total$/.exec(trigger.metadata.valueLocation);
      expect(location).not.toBeNull();
      expect(queues).toContain(location![1]);
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === s.spec.scaleTargetRef.name,
      )!;
      expect({ target: deployment.metadata.name, queue: location![1] }).toEqual({
        target: deployment.metadata.name,
        queue: queueOf(deployment, objects),
      });
    }
  });

  it('derives each target from the measured images/s per replica x the drain time, as annotated', () => {
    for (const s of scaled) {
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === s.spec.scaleTargetRef.name,
      )!;
      const rate = Number(deployment.metadata.annotations?.[RATE]);
      const drain = Number(s.metadata.annotations?.[DRAIN]);
      expect(rate).toBeGreaterThan(0);
      expect(drain).toBeGreaterThan(0);
      expect(Number(s.spec.triggers[0].metadata.targetValue)).toBe(Math.round(rate * drain));
    }
  });
});
