import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker.config';
import { composeValidator } from './support/compose-schema';
import { REPO_ROOT } from './support/kustomize.render';

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[]; start_period?: string };
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { reservations?: { devices?: { capabilities: string[] }[] } } };
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

/** Compose durations in seconds ("45s", "1m30s"). */
function seconds(duration: string | undefined): number {
  if (!duration) return 10; // compose's default stop grace period
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/([0-9.]+)(ms|s|m|h)/g))
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  return total;
}

const runs = (service: Service, app: 'api' | 'worker'): boolean =>
  JSON.stringify(service.command ?? '').includes(`dist/apps/${app}/src/main.js`);

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = composeValidator();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('the schema check can fail (a misspelt key is refused)', () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    (broken.services.api as Record<string, unknown>).stop_grace_periode = '10s';
    expect(validate(broken)).toBe(false);
  });

  const apps = Object.entries(services).filter(([, s]) => runs(s, 'api') || runs(s, 'worker'));

  it('runs the API and at least one worker, each with a healthcheck on its readiness route and a restart policy', () => {
    expect(apps.filter(([, s]) => runs(s, 'api'))).toHaveLength(1);
    expect(apps.filter(([, s]) => runs(s, 'worker')).length).toBeGreaterThanOrEqual(1);
    for (const [name, service] of apps) {
      const port = runs(service, 'api')
        ? (service.environment?.PORT ?? '3000')
        : service.environment?.WORKER_PORT;
      expect({ name, test: service.healthcheck?.test.join(' ') }).toEqual({
        name,
        test: expect.stringContaining(`127.0.0.1:${port}/health/ready`),
      });
      expect({ name, restart: service.restart }).toEqual({
        name,
        restart: expect.stringMatching(/always|unless-stopped|on-failure/),
      });
    }
  });

  it('gives every worker a stop grace period longer than its drain (SHUTDOWN_TIMEOUT_MS)', () => {
    for (const [name, service] of apps.filter(([, s]) => runs(s, 'worker'))) {
      const drain = Number(service.environment?.SHUTDOWN_TIMEOUT_MS ?? 30000) / 1000;
      // the drain, plus the micro-batch that cannot be cut short and the process exit
      expect({ name, grace: seconds(service.stop_grace_period) >= drain + 10 }).toEqual({
        name,
        grace: true,
      });
    }
  });

  it('workers read the model from S3, written there by a one-shot service (no host folder)', () => {
    const workers = apps.filter(([, s]) => runs(s, 'worker'));
    for (const [name, service] of workers) {
      expect({ name, model: service.environment?.MODEL_DIR }).toEqual({
        name,
        model: expect.stringMatching(/s3:\/\//),
      });
      expect({ name, binds: (service.volumes ?? []).filter((v) => /^[./~]/.test(v)) }).toEqual({
        name,
        binds: [],
      });
      const oneShots = Object.entries(service.depends_on ?? {}).filter(
        ([, d]) => d.condition === 'service_completed_successfully',
      );
      expect(oneShots).toHaveLength(1);
      const [initName] = oneShots[0];
      const script = JSON.stringify(services[initName].command);
      expect(script).toContain('make-model');
      // pushes to the very prefix the worker reads by default
      const defaultModel =
        /:-([^}]+)\}/.exec(service.environment?.MODEL_DIR ?? '')?.[1] ?? service.environment?.MODEL_DIR;
      expect(script).toContain(`model push /tmp/demo-model ${defaultModel}`);
      expect(services[initName].restart).toBe('no');
    }
  });

  it('has an optional gpu profile: a CUDA-image worker reserving a GPU', () => {
    const gpu = Object.entries(services).filter(([, s]) => s.profiles?.includes('gpu'));
    expect(gpu.length).toBeGreaterThanOrEqual(1);
    for (const [, service] of gpu) {
      expect(service.build).toEqual(expect.objectContaining({ dockerfile: 'Dockerfile.gpu' }));
      expect(service.environment?.ORT_EXECUTION_PROVIDERS).toMatch(/^cuda/);
      expect(service.deploy?.resources?.reservations?.devices?.[0].capabilities).toContain('gpu');
    }
    // only profiled services use the CUDA image
    for (const [, service] of Object.entries(services).filter(([, s]) => !s.profiles))
      expect(JSON.stringify(service.build ?? '')).not.toContain('Dockerfile.gpu');
  });

  it("gives each app an environment its own config parser accepts (with compose's defaults interpolated)", () => {
    // ${VAR:-default} as compose resolves it with VAR unset
    const resolved = (env: Record<string, string> = {}) =>
      Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
    for (const [name, service] of apps) {
      const env = resolved(service.environment);
      if (runs(service, 'api')) expect({ name, port: loadApiConfig(env).port }).toEqual({ name, port: 3000 });
      else
        expect({ name, modelDir: loadWorkerConfig(env).modelDir }).toEqual({
          name,
          modelDir: expect.stringMatching(/^s3:/),
        });
    }
  });

  it('runs Redis with AOF persistence', () => {
    expect(services.redis.command).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'everysec']),
    );
  });
});
