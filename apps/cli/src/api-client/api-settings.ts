import { CliError } from '../cli-errors';
import type { ApiSettings } from './api-client';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** `--api`/`--key`, else DERMAFLEET_API_URL (else http://127.0.0.1:3000) and DERMAFLEET_API_KEY. */
export function apiSettings(
  options: { api?: string; key?: string },
  env: NodeJS.ProcessEnv = process.env,
): ApiSettings {
  const api = (options.api ?? env.DERMAFLEET_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new CliError(`--api must be an http(s) URL such as ${DEFAULT_API_URL} (got "${api}").`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--api must be an http(s) URL such as ${DEFAULT_API_URL} (got "${api}").`);
  }
  return { api, key: options.key ?? (env.DERMAFLEET_API_KEY || undefined) };
}

/** The commander options every API command takes. */
export const apiOptionHelp = {
  api: `API base URL (default: DERMAFLEET_API_URL, else ${DEFAULT_API_URL})`,
  key: 'API key (default: DERMAFLEET_API_KEY)',
};
