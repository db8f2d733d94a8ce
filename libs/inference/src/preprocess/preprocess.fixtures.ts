import { resolve } from 'node:path';

/**
 * The shared reference fixtures (read-only), beside the checkout: <repo>/../shared/fixtures.
 * Tests read them; nothing may write there.
 */
export function sharedFixturesDir(): string {
  return resolve(__dirname, '../../../../../shared/fixtures');
}
