import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getRoutes, type AppName } from './support/app-source';
import { renderAll, REPO_ROOT, type K8sObject } from './support/kustomize.render';
import {
  allContainers,
  containerEnv,
  cpuCores,
  workloads,
  type Container,
  type Workload,
} from './support/workloads';

/** Pod-level policies on every workload of every overlay: security, probes, drains, threads, model. */
const rendered = [...renderAll()].filter(([target]) => target !== 'monitoring');
const appOf = (c: Container): AppName | undefined =>
  (['api', 'worker'] as const).find((app) =>
    (c.command ?? []).join(' ').includes(`dist/apps/${app}/src/main.js`),
  );
const appContainers = (w: Workload) => w.pod.containers.filter((c) => appOf(c) !== undefined);
const RATE_ANNOTATION = 'dermafleet.io/images-per-second-per-replica';
const workerConfigSource = readFileSync(join(REPO_ROOT, 'apps/worker/src/config/worker.config.ts'), 'utf8');

describe.each(rendered)('k8s/%s', (_target, objects: K8sObject[]) => {
  const all = workloads(objects);
  const apps = all.filter((w) => appContainers(w).length > 0);

  it('runs every pod under the restricted profile: non-root numeric user, no privilege, read-only root', () => {
    const problems: string[] = [];
    for (const { object, pod } of all) {
      const name = object.metadata.name;
      const s = pod.securityContext;
      if (s?.runAsNonRoot !== true) problems.push(`${name}: runAsNonRoot`);
      if (!(Number.isInteger(s?.runAsUser) && (s?.runAsUser ?? 0) > 0))
        problems.push(`${name}: numeric runAsUser`);
      if (s?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${name}: seccomp RuntimeDefault`);
      for (const c of allContainers(pod)) {
        const cs = c.securityContext;
        if (cs?.allowPrivilegeEscalation !== false)
          problems.push(`${name}/${c.name}: allowPrivilegeEscalation`);
        if (!cs?.capabilities?.drop?.includes('ALL')) problems.push(`${name}/${c.name}: drop ALL`);
        if (cs?.readOnlyRootFilesystem !== true) problems.push(`${name}/${c.name}: readOnlyRootFilesystem`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives our containers writable emptyDirs where the apps write: /tmp, and the model cache', () => {
    for (const w of all.filter((x) => x.pod.containers.some((c) => c.image.includes('dermafleet')))) {
      const emptyDirs = new Set((w.pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
      for (const c of w.pod.containers) {
        const onEmptyDir = (path: string) =>
          (c.volumeMounts ?? []).some((m) => m.mountPath === path && emptyDirs.has(m.name));
        expect({ pod: w.object.metadata.name, tmp: onEmptyDir('/tmp') }).toEqual({
          pod: w.object.metadata.name,
          tmp: true,
        });
        if (appOf(c) === 'worker') {
          const cache = containerEnv(c, objects).get('MODEL_CACHE_DIR');
          expect(cache).toBeDefined();
          expect({ pod: w.object.metadata.name, cache, onEmptyDir: onEmptyDir(cache!) }).toEqual({
            pod: w.object.metadata.name,
            cache,
            onEmptyDir: true,
          });
        }
      }
    }
  });

  it('workers get the model from S3, never from a shared volume', () => {
    for (const w of apps.filter((x) => x.pod.containers.some((c) => appOf(c) === 'worker'))) {
      expect(w.pod.volumes?.filter((v) => v.persistentVolumeClaim) ?? []).toEqual([]);
      for (const c of w.pod.containers.filter((x) => appOf(x) === 'worker'))
        expect(containerEnv(c, objects).get('MODEL_DIR')).toMatch(/^s3:\/\/[^/]+\/.+\/$/);
    }
  });

  it('probes only routes the app serves, on the port the app listens on', () => {
    // every overlay runs the API and at least one worker tier
    expect(new Set(apps.flatMap((w) => appContainers(w).map(appOf)))).toEqual(new Set(['api', 'worker']));
    const problems: string[] = [];
    for (const w of apps) {
      for (const c of appContainers(w)) {
        const app = appOf(c)!;
        const routes = getRoutes(app);
        const env = containerEnv(c, objects);
        const listens = Number(
          app === 'api'
            ? (env.get('PORT') ?? 3000)
            : (env.get('WORKER_PORT') ?? Number(env.get('PORT') ?? 3000) + 1),
        );
        const where = `${w.object.metadata.name}/${c.name}`;
        if (!c.readinessProbe || !c.livenessProbe) problems.push(`${where}: readiness and liveness probes`);
        if (c.readinessProbe?.httpGet?.path !== '/health/ready')
          problems.push(`${where}: readiness on /health/ready`);
        if (c.livenessProbe?.httpGet?.path !== '/health/live')
          problems.push(`${where}: liveness on /health/live`);
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          if (!probe?.httpGet) continue;
          if (!routes.has(probe.httpGet.path))
            problems.push(`${where}: ${probe.httpGet.path} is not a ${app} route`);
          const port = probe.httpGet.port;
          const number =
            typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
          if (number !== listens) problems.push(`${where}: probe port ${port} is not ${listens}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets workers finish their drain: grace > SHUTDOWN_TIMEOUT_MS + the longest micro-batch', () => {
    for (const w of apps.filter((x) => x.pod.containers.some((c) => appOf(c) === 'worker'))) {
      const c = w.pod.containers.find((x) => appOf(x) === 'worker')!;
      const env = containerEnv(c, objects);
      const drain = Number(env.get('SHUTDOWN_TIMEOUT_MS') ?? 30000) / 1000;
      const rate = Number(w.object.metadata.annotations?.[RATE_ANNOTATION]);
      expect(rate).toBeGreaterThan(0);
      // a micro-batch that has started cannot be cut short: BATCH_MAX_SIZE images at the measured rate
      const longestBatch = Number(env.get('BATCH_MAX_SIZE') ?? 8) / rate;
      expect({
        pod: w.object.metadata.name,
        enough: (w.pod.terminationGracePeriodSeconds ?? 30) > drain + longestBatch + 5,
      }).toEqual({
        pod: w.object.metadata.name,
        enough: true,
      });
    }
  });

  it('gives the API a preStop pause shorter than its grace period', () => {
    for (const w of apps.filter((x) => x.pod.containers.some((c) => appOf(c) === 'api'))) {
      const c = w.pod.containers.find((x) => appOf(x) === 'api')!;
      const pre = c.lifecycle?.preStop;
      const pause =
        pre?.sleep?.seconds ?? Number(pre?.exec?.command[0] === 'sleep' ? pre.exec.command[1] : NaN);
      expect(pause).toBeGreaterThan(0);
      expect(w.pod.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(pause + 10);
    }
  });

  it('sizes worker thread pools from the container CPU request, for variables the worker reads', () => {
    for (const w of apps.filter((x) => x.pod.containers.some((c) => appOf(c) === 'worker'))) {
      const c = w.pod.containers.find((x) => appOf(x) === 'worker')!;
      expect(cpuCores(c.resources?.requests?.cpu)).toBeGreaterThan(0);
      const threads = (c.env ?? []).filter((e) => /THREADS$/.test(e.name));
      expect(threads.map((e) => e.name)).toContain('PREPROCESS_THREADS');
      for (const e of threads) {
        expect(workerConfigSource).toContain(`${e.name}:`);
        expect(e.valueFrom?.resourceFieldRef).toEqual(
          expect.objectContaining({ containerName: c.name, resource: 'requests.cpu' }),
        );
      }
    }
  });
});
