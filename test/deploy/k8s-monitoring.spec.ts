import { exportedMetrics, getRoutes, isExportedMetric, queueNames } from './support/app-source';
import { parsePromql } from './support/promql';
import { renderAll, type K8sObject } from './support/kustomize.render';
import { workloads } from './support/workloads';

/** The monitoring objects scrape what exists and alert on series our code exports. */
const rendered = renderAll();
const monitoring = rendered.get('monitoring')!;
// The split overlay holds every kind of pod we run (API, GPU workers, preprocessing tier).
const fleet = rendered.get('overlays/split')!;
// Series from kube-state-metrics (part of every Prometheus Operator stack) that rules may use.
const THIRD_PARTY = new Set(['kube_deployment_status_replicas_ready']);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: Record<string, string>;
}
const rules = monitoring
  .filter((o) => o.kind === 'PrometheusRule')
  .flatMap((o) => (o.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
const one = (kind: string): K8sObject => {
  const found = monitoring.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const matches = (labels: Record<string, string>, selector: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('k8s/monitoring', () => {
  it('ServiceMonitor scrapes the API Service on a named port, at a route the API serves', () => {
    const spec = one('ServiceMonitor').spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    const services = fleet.filter(
      (o) => o.kind === 'Service' && matches(o.metadata.labels ?? {}, spec.selector.matchLabels),
    );
    expect(services.map((s) => s.metadata.name)).toEqual(['dermafleet-api']);
    const ports = (services[0].spec as { ports: { name: string }[] }).ports.map((p) => p.name);
    for (const endpoint of spec.endpoints) {
      expect(ports).toContain(endpoint.port);
      expect(getRoutes('api')).toContain(endpoint.path);
    }
  });

  it('PodMonitor scrapes every worker tier (GPU and preprocessing) on its metrics port and route', () => {
    const spec = one('PodMonitor').spec as {
      selector: { matchLabels: Record<string, string> };
      podMetricsEndpoints: { port: string; path: string }[];
    };
    const selected = workloads(fleet).filter((w) => matches(w.podLabels, spec.selector.matchLabels));
    const workers = workloads(fleet).filter((w) =>
      w.pod.containers.some((c) => (c.command ?? []).join(' ').includes('dist/apps/worker/src/main.js')),
    );
    expect(selected.map((w) => w.object.metadata.name).sort()).toEqual(
      workers.map((w) => w.object.metadata.name).sort(),
    );
    for (const endpoint of spec.podMetricsEndpoints) {
      expect(getRoutes('worker')).toContain(endpoint.path);
      for (const w of selected)
        expect(w.pod.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name))).toContain(endpoint.port);
    }
  });

  it('every alert parses as PromQL, waits before firing, and says what it means', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect({ alert: rule.alert, valid: parsePromql(rule.expr).valid }).toEqual({
        alert: rule.alert,
        valid: true,
      });
      expect(rule.for).toMatch(/^[0-9]+[smh]$/);
      expect(rule.labels?.severity).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary).toBeTruthy();
    }
  });

  it('alerts only on series the apps export (or kube-state-metrics), with queue labels that exist', () => {
    const exported = exportedMetrics();
    const queues = queueNames();
    for (const rule of rules) {
      for (const metric of parsePromql(rule.expr).metrics)
        expect({
          alert: rule.alert,
          metric,
          known: isExportedMetric(metric, exported) || THIRD_PARTY.has(metric),
        }).toEqual({
          alert: rule.alert,
          metric,
          known: true,
        });
      for (const [, queue] of rule.expr.matchAll(/queue="([^"]+)"/g)) expect(queues).toContain(queue);
      for (const [, deployment] of rule.expr.matchAll(/deployment="([^"]+)"/g))
        expect(fleet.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toContain(
          deployment,
        );
    }
  });

  it('never sums the backlog gauge: every API replica exports the whole queue', () => {
    for (const rule of rules)
      expect(rule.expr).not.toMatch(/sum\s*(by\s*\([^)]*\)\s*)?\(\s*dermafleet_queue_backlog/);
  });

  it('covers backlog size and age, failed predictions, webhook failures, and no ready worker with work waiting', () => {
    const uses = (pattern: RegExp) => rules.filter((r) => pattern.test(r.expr)).map((r) => r.alert);
    // size and age of the backlog
    expect(uses(/dermafleet_queue_backlog[^>]*\)\s*>\s*[0-9]{3,}/).length).toBeGreaterThanOrEqual(1);
    expect(
      uses(/dermafleet_queue_backlog[\s\S]*\/[\s\S]*rate\(dermafleet_worker_jobs_total/).length,
    ).toBeGreaterThanOrEqual(1);
    expect(uses(/dermafleet_worker_jobs_total\{outcome="failed"\}/).length).toBeGreaterThanOrEqual(1);
    expect(uses(/dermafleet_webhook_attempts_total/).length).toBeGreaterThanOrEqual(1);
    // no ready worker while images wait, for each worker tier
    for (const deployment of ['dermafleet-worker', 'dermafleet-preprocess'])
      expect(
        uses(
          new RegExp(
            `> 0\\s+unless[\\s\\S]*kube_deployment_status_replicas_ready\\{[^}]*deployment="${deployment}"`,
          ),
        ),
      ).toHaveLength(1);
  });
});
