import { resolve } from 'node:path';
import type { ApiClient } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { CliError } from '../cli-errors';
import { SubmitState } from './submit-state';

export interface BatchChoice {
  statePath: string;
  inputs: string[];
  batchId?: string;
  webhook?: string;
}

const sameList = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The batch this run submits to: the state file's (a re-run continues it), else `--batch`, else a
 * new one. A state file of another submission (other inputs, API or batch) stops the run rather
 * than mixing two archives into one batch. The state is written before any upload starts.
 */
export async function chooseBatch(
  api: ApiClient,
  choice: BatchChoice,
): Promise<{ state: SubmitState; resumed: boolean }> {
  const statePath = resolve(choice.statePath);
  const existing = await SubmitState.load(statePath);
  if (existing) {
    const other =
      existing.api !== api.settings.api
        ? `the API ${existing.api}`
        : !sameList(existing.inputs, choice.inputs)
          ? `${existing.inputs.join(', ')}`
          : choice.batchId && choice.batchId !== existing.batchId
            ? `batch ${existing.batchId}`
            : null;
    if (other) {
      throw new CliError(
        `The state file ${statePath} belongs to another submission (${other}); pass --state FILE for a new one, or delete it.`,
      );
    }
    return { state: existing, resumed: true };
  }
  let batchId = choice.batchId;
  try {
    if (batchId) {
      const batch = await api.getBatch(batchId);
      if (batch.status !== 'open')
        throw new CliError(`Batch ${batchId} is ${batch.status}; it takes no more images.`);
    } else {
      batchId = (await api.createBatch(choice.webhook ? { webhook_url: choice.webhook } : {})).id;
    }
  } catch (err) {
    throw asCliError(err, 'batch');
  }
  const state = SubmitState.create(statePath, api.settings.api, batchId, choice.inputs);
  await state.save();
  return { state, resumed: false };
}
