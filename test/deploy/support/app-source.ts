import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { REPO_ROOT } from './kustomize.render';

/**
 * Facts read from the apps' source instead of restated in the tests: the GET routes each app
 * serves, the metric names it registers, the queue names. Nothing is started.
 */
export type AppName = 'api' | 'worker';

function sourceFiles(dir: string, filter: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && filter(path));
}

const joinRoute = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** GET routes from the @Controller('prefix') and @Get('path') decorators (no global prefix is set). */
export function getRoutes(app: AppName): Set<string> {
  const routes = new Set<string>();
  for (const file of sourceFiles(join(REPO_ROOT, 'apps', app, 'src'), (p) => p.endsWith('.controller.ts'))) {
    const source = readFileSync(file, 'utf8');
    const prefix = /@Controller\(\s*(?:'([^']*)')?\s*\)/.exec(source);
    if (!prefix) continue;
    for (const get of source.matchAll(/@Get\(\s*(?:'([^']*)')?\s*\)/g))
      routes.add(joinRoute(prefix[1] ?? '', get[1] ?? ''));
  }
  return routes;
}

/**
 * Metric names in the apps' prom-client code: every 'dermafleet_...' string literal in a file that
 * imports prom-client (names may sit in a constant before `new Gauge({ name })`); literals ending
 * in `_` are default-metric prefixes (collectDefaultMetrics({ prefix })).
 */
export function exportedMetrics(): { names: Set<string>; prefixes: string[]; files: string[] } {
  const names = new Set<string>();
  const prefixes: string[] = [];
  const files: string[] = [];
  for (const file of sourceFiles(join(REPO_ROOT, 'apps'), () => true)) {
    const source = readFileSync(file, 'utf8');
    if (!/from 'prom-client'/.test(source)) continue;
    const literals = [...source.matchAll(/'(dermafleet_[a-z0-9_]+)'/g)].map((m) => m[1]);
    for (const literal of literals) {
      if (literal.endsWith('_')) prefixes.push(literal);
      else names.add(literal);
    }
    if (literals.length > 0) files.push(relative(REPO_ROOT, file));
  }
  return { names, prefixes, files };
}

/** The exact series prom-client's default metrics register under a prefix. */
function defaultMetricNames(prefix: string): string[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry.getMetricsAsArray().map((m) => m.name);
}

/** Whether a series name is one our code exports (histograms and summaries add their suffixes). */
export function isExportedMetric(series: string, exported: ReturnType<typeof exportedMetrics>): boolean {
  const base = series.replace(/_(bucket|sum|count)$/, '');
  const defaults = new Set(exported.prefixes.flatMap(defaultMetricNames));
  return [series, base].some((name) => exported.names.has(name) || defaults.has(name));
}

/** The BullMQ queue names (libs/jobs QueueName). */
export function queueNames(): Set<string> {
  const source = readFileSync(join(REPO_ROOT, 'libs', 'jobs', 'src', 'queues.ts'), 'utf8');
  const block = /export const QueueName = \{([^}]*)\}/.exec(source);
  if (!block) throw new Error('QueueName not found in libs/jobs/src/queues.ts');
  return new Set([...block[1].matchAll(/:\s*'([^']+)'/g)].map((m) => m[1]));
}
