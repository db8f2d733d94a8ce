import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  renderAll,
  REPO_ROOT,
  RENDER_TARGETS,
  schemaProblems,
  type K8sObject,
} from './support/kustomize.render';
import { allContainers, workloads } from './support/workloads';

/** Every target renders with kubectl kustomize, and every object is valid and lands where it should. */
const rendered = renderAll();
const NAMESPACE = 'dermafleet';
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'StorageClass',
]);

interface SelectingSpec {
  selector?: Record<string, string> | { matchLabels: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
  ports?: { targetPort?: string | number }[];
  ingress?: { ports?: { port: string | number }[] }[];
}

const find = (objects: K8sObject[], kind: string, name: string | undefined): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe.each(RENDER_TARGETS)('k8s/%s', (target) => {
  const objects = rendered.get(target)!;

  it('renders objects that pass the Kubernetes, KEDA and Prometheus Operator schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it(`puts every namespaced object in the ${NAMESPACE} namespace`, () => {
    const misplaced = objects
      .filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== NAMESPACE)
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(misplaced).toEqual([]);
    const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    // what the operator applies first creates its namespace (monitoring goes into the existing one)
    expect(namespaces).toEqual(target === 'monitoring' ? [] : [NAMESPACE]);
  });

  it('references only ConfigMaps, Secrets (and their keys), PVCs and ServiceAccounts that the render creates', () => {
    const missing: string[] = [];
    const need = (kind: string, name: string | undefined, from: string, key?: string): void => {
      const object = find(objects, kind, name);
      if (!object) missing.push(`${from} -> ${kind}/${name}`);
      else if (key !== undefined) {
        const data = { ...(object.data as object | undefined), ...(object.stringData as object | undefined) };
        if (!(key in data)) missing.push(`${from} -> ${kind}/${name} key ${key}`);
      }
    };
    for (const { object, pod, claimTemplates } of workloads(objects)) {
      const from = `${object.kind}/${object.metadata.name}`;
      if (pod.serviceAccountName) need('ServiceAccount', pod.serviceAccountName, from);
      for (const volume of pod.volumes ?? []) {
        if (volume.configMap) need('ConfigMap', volume.configMap.name, from);
        if (volume.secret) need('Secret', volume.secret.secretName, from);
        if (volume.persistentVolumeClaim)
          need('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, from);
      }
      const volumeNames = new Set([...(pod.volumes ?? []).map((v) => v.name), ...claimTemplates]);
      for (const container of allContainers(pod)) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) need('ConfigMap', source.configMapRef.name, from);
          if (source.secretRef) need('Secret', source.secretRef.name, from);
        }
        for (const { valueFrom } of container.env ?? []) {
          if (valueFrom?.configMapKeyRef)
            need('ConfigMap', valueFrom.configMapKeyRef.name, from, valueFrom.configMapKeyRef.key);
          if (valueFrom?.secretKeyRef)
            need('Secret', valueFrom.secretKeyRef.name, from, valueFrom.secretKeyRef.key);
        }
        for (const mount of container.volumeMounts ?? [])
          if (!volumeNames.has(mount.name)) missing.push(`${from} mounts undeclared volume ${mount.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('selects real pods and named ports from Services, PodDisruptionBudgets and NetworkPolicies', () => {
    const pods = workloads(objects);
    const matching = (selector: Record<string, string> | undefined) =>
      pods.filter(({ podLabels }) => Object.entries(selector ?? {}).every(([k, v]) => podLabels[k] === v));
    const portNames = (selected: typeof pods) =>
      new Set(
        selected.flatMap(({ pod }) => allContainers(pod).flatMap((c) => (c.ports ?? []).map((p) => p.name))),
      );
    // The selector and the ports each kind names (a Service's selector is a plain label map).
    const selects = (
      o: K8sObject,
    ): { selector?: Record<string, string>; ports: (string | number | undefined)[] } => {
      const spec = o.spec as SelectingSpec;
      if (o.kind === 'Service')
        return {
          selector: spec.selector as Record<string, string>,
          ports: (spec.ports ?? []).map((p) => p.targetPort),
        };
      if (o.kind === 'PodDisruptionBudget')
        return {
          selector: (spec.selector as { matchLabels: Record<string, string> }).matchLabels,
          ports: [],
        };
      return {
        selector: spec.podSelector?.matchLabels,
        ports: (spec.ingress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port)),
      };
    };
    const problems: string[] = [];
    for (const o of objects.filter((x) =>
      ['Service', 'PodDisruptionBudget', 'NetworkPolicy'].includes(x.kind),
    )) {
      const { selector, ports } = selects(o);
      const selected = matching(selector);
      if (selected.length === 0) problems.push(`${o.kind}/${o.metadata.name} selects no pod`);
      for (const port of ports.filter((p): p is string => typeof p === 'string'))
        if (!portNames(selected).has(port))
          problems.push(`${o.kind}/${o.metadata.name} names unknown port ${port}`);
    }
    expect(problems).toEqual([]);
  });

  it('lets node drains proceed: no PodDisruptionBudget forbids every eviction', () => {
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const spec = pdb.spec as {
        minAvailable?: number | string;
        maxUnavailable?: number | string;
        selector: { matchLabels: Record<string, string> };
      };
      if (spec.maxUnavailable !== undefined) expect(spec.maxUnavailable).not.toBe(0);
      if (spec.minAvailable !== undefined) {
        // a fixed replica count must exceed minAvailable; an autoscaled one may be anything, so use maxUnavailable
        const target = workloads(objects).find((w) =>
          Object.entries(spec.selector.matchLabels).every(([k, v]) => w.podLabels[k] === v),
        )!;
        const replicas = (target.object.spec as { replicas?: number }).replicas;
        expect({
          pdb: pdb.metadata.name,
          replicas,
          fits: replicas !== undefined && replicas > Number(spec.minAvailable),
        }).toEqual({
          pdb: pdb.metadata.name,
          replicas,
          fits: true,
        });
      }
    }
  });

  it('contains no literal secret: no committed Secret, no secret-looking env value', () => {
    const literal = workloads(objects).flatMap(({ object, pod }) =>
      allContainers(pod).flatMap((c) =>
        (c.env ?? [])
          .filter((e) => /KEY|SECRET|PASSWORD|TOKEN|API_KEYS/.test(e.name) && e.value !== undefined)
          .map((e) => `${object.metadata.name}/${c.name}: ${e.name}`),
      ),
    );
    expect(literal).toEqual([]);
    const configKeys = objects
      .filter((o) => o.kind === 'ConfigMap')
      .flatMap((o) => Object.keys((o.data as object) ?? {}))
      .filter((k) => /SECRET|PASSWORD|TOKEN|API_KEYS|ACCESS_KEY/.test(k));
    expect(configKeys).toEqual([]);
  });
});

describe('k8s/ sources', () => {
  const files = readdirSync(join(REPO_ROOT, 'k8s'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(REPO_ROOT, 'k8s', f));

  it('commit no Secret object and no secretGenerator literals; secrets come from gitignored files', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const o = doc.toJS() as {
          kind?: string;
          secretGenerator?: { envs?: string[]; files?: string[]; literals?: string[] }[];
        } | null;
        if (o?.kind === 'Secret') problems.push(`${relative(REPO_ROOT, file)} commits a Secret`);
        for (const generator of o?.secretGenerator ?? []) {
          if (generator.literals?.length) problems.push(`${relative(REPO_ROOT, file)} has secret literals`);
          for (const source of [...(generator.envs ?? []), ...(generator.files ?? [])]) {
            const path = relative(REPO_ROOT, join(file, '..', source.replace(/^.*=/, '')));
            // git check-ignore exits 0 when the path is ignored
            try {
              execFileSync('git', ['check-ignore', '-q', path], { cwd: REPO_ROOT });
            } catch {
              problems.push(`${path} is not gitignored`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('ship an example for every operator-filled secret file, naming only keys the apps read', () => {
    const base = parse(readFileSync(join(REPO_ROOT, 'k8s/base/kustomization.yaml'), 'utf8')) as {
      secretGenerator: { envs: string[] }[];
    };
    // The apps' environment schemas: api.config.ts, worker.config.ts and the *.env.ts pieces they spread in.
    const appConfig = ['apps', 'libs']
      .flatMap((dir) =>
        readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
          .filter((f) => /(\.env|\.config)\.ts$/.test(f))
          .map((f) => join(REPO_ROOT, dir, f)),
      )
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const env of base.secretGenerator.flatMap((g) => g.envs)) {
      const example = readFileSync(join(REPO_ROOT, 'k8s/base', `${env}.example`), 'utf8');
      // optional keys are shown commented out; they too must be ones the apps read
      const keys = [...example.matchAll(/^(?:#\s*)?([A-Z0-9_]+)=/gm)].map((m) => m[1]);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys)
        expect({ key, read: appConfig.includes(`${key}:`) }).toEqual({ key, read: true });
    }
  });
});
