import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled entry of a sibling app (dist), or its TypeScript source run through tsx. */
export function appEntry(app: 'api' | 'worker'): { args: string[] } {
  const base = join(__dirname, '..', '..', '..', app, 'src', 'main');
  if (existsSync(`${base}.js`)) return { args: [`${base}.js`] };
  if (existsSync(`${base}.ts`)) return { args: ['--import', 'tsx', `${base}.ts`] };
  throw new Error(`Cannot find the ${app} app; run "npm run build" first.`);
}
