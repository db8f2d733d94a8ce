import { renderAll, type K8sObject } from './support/kustomize.render';
import { containerEnv, workloads } from './support/workloads';

/** The dev overlay is a whole fleet on its own: Redis, MinIO, credentials and a model, all wired. */
const objects = renderAll().get('overlays/dev')!;
const pods = workloads(objects);
const byName = (name: string) => pods.find((w) => w.object.metadata.name === name)!;
const api = byName('dermafleet-api').pod.containers[0];
const config = containerEnv(api, objects);

/** The Service a URL's host names, and whether it exposes the URL's port. */
function serviceFor(url: string): { service: K8sObject | undefined; portExposed: boolean } {
  const { hostname, port } = new URL(url);
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === hostname.split('.')[0]);
  const ports = ((service?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map(
    (p) => p.port,
  );
  return { service, portExposed: ports.includes(Number(port)) };
}

describe('k8s/overlays/dev', () => {
  it('points the apps at the in-cluster Redis, which persists with AOF', () => {
    expect(serviceFor(config.get('REDIS_URL')!)).toEqual({ service: expect.anything(), portExposed: true });
    const redis = byName('redis').pod.containers[0];
    expect(redis.args).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'everysec']));
  });

  it('points the apps at the in-cluster MinIO, with a public endpoint for presigned uploads', () => {
    expect(serviceFor(config.get('S3_ENDPOINT')!)).toEqual({ service: expect.anything(), portExposed: true });
    expect(config.get('S3_FORCE_PATH_STYLE')).toBe('true');
    expect(config.get('S3_PUBLIC_ENDPOINT')).toMatch(/^https?:\/\//);
  });

  it("gives the apps MinIO's own credentials, from one Secret the operator fills", () => {
    const secretName = api.envFrom?.find((s) => s.secretRef)?.secretRef?.name;
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === secretName);
    expect(Object.keys(secret?.data as object)).toEqual(
      expect.arrayContaining(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']),
    );
    const minio = byName('minio').pod.containers[0];
    const from = (name: string) => minio.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    expect(from('MINIO_ROOT_USER')).toEqual({ name: secretName, key: 'S3_ACCESS_KEY_ID' });
    expect(from('MINIO_ROOT_PASSWORD')).toEqual({ name: secretName, key: 'S3_SECRET_ACCESS_KEY' });
  });

  it('writes the demo model where the workers read it (a Job running make-model and model push to MODEL_DIR)', () => {
    const job = pods.find((w) => w.object.kind === 'Job')!;
    const [push] = job.pod.containers;
    const script = (push.command ?? []).join(' ');
    expect(script).toContain('make-model');
    expect(script).toMatch(/model push \S+ "\$MODEL_DIR"/);
    const worker = byName('dermafleet-worker').pod.containers[0];
    expect(containerEnv(push, objects).get('MODEL_DIR')).toBe(containerEnv(worker, objects).get('MODEL_DIR'));
    expect(containerEnv(worker, objects).get('MODEL_DIR')).toMatch(/^s3:\/\//);
  });

  it('needs no KEDA: no ScaledObject, and the worker runs its default single replica', () => {
    expect(objects.filter((o) => o.kind === 'ScaledObject')).toEqual([]);
    expect((byName('dermafleet-worker').object.spec as { replicas?: number }).replicas).toBeUndefined();
  });
});
