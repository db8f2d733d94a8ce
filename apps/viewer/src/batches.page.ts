import { getJson } from './api.js';
import { bar, h, when } from './dom.js';
import type { Batch } from './types.js';

/** Polling period of the batch list while a batch is still running (well within rate limits). */
const POLL_MS = 3000;

function progressCell(batch: Batch): HTMLElement {
  const done = batch.counts.succeeded + batch.counts.failed + (batch.counts.canceled ?? 0);
  const total = batch.counts.total;
  return h('td', {}, bar(total ? done / total : 0, 'progress', 'progress'), ` ${done} / ${total}`);
}

function row(batch: Batch): HTMLElement {
  const c = batch.counts;
  return h(
    'tr',
    { 'data-testid': 'batch-row', 'data-batch-id': batch.id },
    h('td', {}, h('a', { href: `#/batch/${batch.id}` }, batch.name ?? batch.id)),
    h('td', {}, h('span', { class: `status ${batch.status}` }, batch.status)),
    progressCell(batch),
    h('td', {}, `${c.succeeded} ok · ${c.failed} failed · ${c.queued + c.processing} to do`),
    h('td', {}, when(batch.created_at)),
    h('td', { class: 'versions' }, (batch.model_versions ?? []).map((v) => v.slice(0, 19)).join(', ') || '—'),
  );
}

/** The tenant's batches, newest first, refreshed while any of them is still running. */
export function batchesPage(root: HTMLElement): () => void {
  const body = h('tbody');
  const status = h('p', { class: 'muted' }, 'Loading…');
  root.append(
    h('h1', {}, 'Batches'),
    status,
    h(
      'table',
      { class: 'batches', 'data-testid': 'batches' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Name'),
          h('th', {}, 'Status'),
          h('th', {}, 'Progress'),
          h('th', {}, 'Counts'),
          h('th', {}, 'Created'),
          h('th', {}, 'Model versions'),
        ),
      ),
      body,
    ),
  );
  let timer: number | undefined;
  let stopped = false;
  const load = async (): Promise<void> => {
    try {
      const page = await getJson<{ batches: Batch[] }>('/v1/batches?limit=100');
      if (stopped) return;
      body.replaceChildren(...page.batches.map(row));
      status.textContent = page.batches.length ? '' : 'No batches yet.';
      if (page.batches.some((b) => b.status !== 'completed')) timer = window.setTimeout(load, POLL_MS);
    } catch (err) {
      if (!stopped) status.textContent = `Could not load batches: ${(err as Error).message}`;
    }
  };
  void load();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
