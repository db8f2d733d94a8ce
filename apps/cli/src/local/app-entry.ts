import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '@dermafleet/inference/threads/worker-node-flags';

/**
 * The compiled entry of a sibling app (dist), or its TypeScript source run through tsx, with the
 * Node flags it is deployed with.
 */
export function appEntry(app: 'api' | 'worker'): { args: string[] } {
  const base = join(__dirname, '..', '..', '..', app, 'src', 'main');
  const flags = app === 'worker' ? [...WORKER_NODE_FLAGS] : [];
  if (existsSync(`${base}.js`)) return { args: [...flags, `${base}.js`] };
  if (existsSync(`${base}.ts`)) return { args: [...flags, '--import', 'tsx', `${base}.ts`] };
  throw new Error(`Cannot find the ${app} app; run "npm run build" first.`);
}
