import { CliError } from '../cli-errors';
import { ApiRequestError } from './api-client';

/** Turns an API refusal of a whole command (bad key, unknown batch) into one sentence, exit 2. */
export function asCliError(err: unknown, what: string): unknown {
  if (!(err instanceof ApiRequestError)) return err;
  if (err.status === 401)
    return new CliError(`The API refused the key: ${err.message} Pass --key or set DERMAFLEET_API_KEY.`);
  if (err.status === 404) return new CliError(`No such ${what} for this API key: ${err.message}`);
  return new CliError(`The API refused the request (${err.status} ${err.code}): ${err.message}`);
}
