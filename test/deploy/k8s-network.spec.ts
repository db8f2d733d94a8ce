import { renderAll, type K8sObject } from './support/kustomize.render';
import { workloads, type Workload } from './support/workloads';

/** Only the API takes traffic; workers talk to DNS, Redis and S3 and nothing else. */
interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number | string }[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}
const rendered = [...renderAll()].filter(([target]) => target !== 'monitoring');
// Public on purpose: the API, and in dev MinIO (clients PUT presigned uploads to it).
const PUBLIC = new Set(['dermafleet-api', 'minio']);
const WORKER_EGRESS_PORTS = new Set([53, 6379, 443]);

const selects = (policy: PolicySpec, w: Workload): boolean =>
  Object.entries(policy.podSelector.matchLabels ?? {}).every(([k, v]) => w.podLabels[k] === v);
const isWorker = (w: Workload): boolean =>
  w.pod.containers.some((c) => (c.command ?? []).join(' ').includes('dist/apps/worker/src/main.js'));

describe.each(rendered)('k8s/%s', (_target, objects: K8sObject[]) => {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec as PolicySpec);
  const pods = workloads(objects);

  it('denies ingress to every pod by default', () => {
    expect(policies).toContainEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('opens ingress from anywhere only to the API (and to dev MinIO)', () => {
    for (const w of pods) {
      const open = policies
        .filter((p) => p.policyTypes.includes('Ingress') && selects(p, w))
        .flatMap((p) => p.ingress ?? [])
        .filter((rule) => !rule.from || rule.from.length === 0);
      expect({ pod: w.object.metadata.name, open: open.length > 0 }).toEqual({
        pod: w.object.metadata.name,
        open: PUBLIC.has(w.object.metadata.name),
      });
    }
  });

  it('lets workers reach only DNS, Redis, S3 (and the dev MinIO pods)', () => {
    const workers = pods.filter(isWorker);
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      const egress = policies.filter((p) => p.policyTypes.includes('Egress') && selects(p, w));
      expect(egress.length).toBeGreaterThan(0);
      for (const rule of egress.flatMap((p) => p.egress ?? [])) {
        const toMinio = rule.to?.every((peer) => peer.podSelector?.matchLabels?.app === 'minio') ?? false;
        expect(rule.ports?.length).toBeGreaterThan(0);
        for (const { port } of rule.ports ?? [])
          expect({ port, allowed: WORKER_EGRESS_PORTS.has(Number(port)) || toMinio }).toEqual({
            port,
            allowed: true,
          });
      }
    }
  });
});
