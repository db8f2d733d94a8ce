import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** What an operator applies: every overlay, the base alone, and the monitoring objects. */
export const RENDER_TARGETS = [
  'base',
  'overlays/dev',
  'overlays/gpu',
  'overlays/split',
  'monitoring',
] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Kubernetes objects are open-ended documents; tests narrow what they read.
  [field: string]: unknown;
}

/**
 * Renders with the real `kubectl kustomize` (kustomize 5.5 inside kubectl 1.32), on a copy of
 * k8s/ where secret.env is filled from secret.env.example: exactly the operator's first step,
 * and independent of any secret.env lying in this checkout.
 */
export function renderAll(): Map<RenderTarget, K8sObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dermafleet-k8s-'));
  try {
    cpSync(join(REPO_ROOT, 'k8s'), dir, { recursive: true });
    cpSync(join(dir, 'base', 'secret.env.example'), join(dir, 'base', 'secret.env'));
    return new Map(RENDER_TARGETS.map((target) => [target, render(join(dir, target))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(path: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(out)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** Schema problems of each object, from the offline Kubernetes, KEDA and Prometheus Operator models. */
export function schemaProblems(objects: K8sObject[]): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-objects.mjs')], {
    cwd: REPO_ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}
