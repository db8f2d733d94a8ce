import { BlobOwner, getJson } from './api.js';
import { batchCard } from './batch-card.js';
import { filterBar, filterQuery, type FilterState } from './batch-filters.js';
import { toCsv } from './csv.js';
import { bar, h, when } from './dom.js';
import { saveMargin, savedMargin } from './marks.js';
import type { Batch, Prediction } from './types.js';

const PAGE = 60;
/** Listing calls one "load more" may chain when a rare filter returns short pages. */
const MAX_CHAINED = 8;
const POLL_MS = 4000;

/** One batch: progress, filters, thumbnail grid with cursor paging, CSV of the current filter. */
export function batchPage(root: HTMLElement, batchId: string): () => void {
  let stopped = false;
  let timer: number | undefined;
  let blobs = new BlobOwner();
  let filter: FilterState = { label: '', marks: [], margin: savedMargin(), q: '', order: 'created' };
  let cursor: string | null = null;
  let generation = 0;
  let labels: string[] = [];
  let shown = 0;

  const title = h('h1', {}, 'Batch');
  const summary = h('div', { class: 'muted', 'data-testid': 'batch-summary' });
  const grid = h('div', { class: 'grid', 'data-testid': 'grid' });
  const info = h('span', { class: 'muted', 'data-testid': 'grid-info' });
  const more = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'load-more', hidden: true },
    'Load more',
  );
  const csv = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'csv' },
    'Download CSV of this filter',
  );
  const csvNote = h('span', { class: 'muted' });
  const bars = filterBar([], filter, (f) => {
    filter = f;
    saveMargin(f.margin);
    void reload();
  });
  root.append(
    h('p', {}, h('a', { href: '#/batches' }, '← Batches')),
    title,
    summary,
    bars.element,
    h('div', { class: 'pager' }, csv, csvNote),
    grid,
    h('div', { class: 'pager' }, more, info),
  );

  const showBatch = (batch: Batch): void => {
    title.textContent = batch.name ?? batch.id;
    const done = batch.counts.succeeded + batch.counts.failed + (batch.counts.canceled ?? 0);
    summary.replaceChildren(
      bar(batch.counts.total ? done / batch.counts.total : 0, 'progress', 'progress'),
      ` ${done} / ${batch.counts.total} · ${batch.status} · ${batch.counts.failed} failed · created ${when(batch.created_at)}`,
      batch.model_versions?.length
        ? ` · model ${batch.model_versions.map((v) => v.slice(0, 19)).join(', ')}`
        : '',
    );
  };

  const pollBatch = async (): Promise<void> => {
    try {
      const batch = await getJson<Batch>(`/v1/batches/${batchId}`);
      if (stopped) return;
      showBatch(batch);
      if (batch.status !== 'completed') timer = window.setTimeout(pollBatch, POLL_MS);
    } catch (err) {
      if (!stopped) summary.textContent = `Could not load the batch: ${(err as Error).message}`;
    }
  };

  const learnLabels = (predictions: Prediction[]): void => {
    const first = predictions.find((p) => p.result);
    if (labels.length || !first?.result) return;
    labels = first.result.probabilities.map((p) => p.label);
    bars.setLabels(labels);
  };

  const loadMore = async (): Promise<void> => {
    const mine = generation;
    more.hidden = true;
    info.textContent = 'Loading…';
    let added = 0;
    for (let calls = 0; calls < MAX_CHAINED && added < PAGE; calls++) {
      const page = await getJson<{ predictions: Prediction[]; next_cursor: string | null }>(
        `/v1/batches/${batchId}/predictions?${filterQuery(filter, PAGE - added, cursor)}`,
      );
      if (stopped || mine !== generation) return;
      learnLabels(page.predictions);
      grid.append(...page.predictions.map((p) => batchCard(p, filter.margin, blobs)));
      added += page.predictions.length;
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    shown += added;
    more.hidden = cursor === null;
    info.textContent = `${shown} shown${cursor ? '' : ' · end of the list'}`;
  };

  const reload = async (): Promise<void> => {
    generation += 1;
    cursor = null;
    shown = 0;
    blobs.revokeAll();
    blobs = new BlobOwner();
    grid.replaceChildren();
    try {
      await loadMore();
    } catch (err) {
      info.textContent = `Could not load predictions: ${(err as Error).message}`;
    }
  };

  more.addEventListener('click', () => {
    loadMore().catch((err: Error) => (info.textContent = `Could not load predictions: ${err.message}`));
  });

  csv.addEventListener('click', () => {
    void (async () => {
      csv.disabled = true;
      const all: Prediction[] = [];
      let next: string | null = null;
      try {
        do {
          const page: { predictions: Prediction[]; next_cursor: string | null } = await getJson(
            `/v1/batches/${batchId}/predictions?${filterQuery(filter, 500, next)}`,
          );
          all.push(...page.predictions);
          next = page.next_cursor;
          csvNote.textContent = `${all.length} rows…`;
        } while (next && !stopped);
        learnLabels(all);
        const url = URL.createObjectURL(new Blob([toCsv(all, labels)], { type: 'text/csv' }));
        const link = h('a', { href: url, download: `${batchId}.csv` });
        link.click();
        window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
        csvNote.textContent = `${all.length} rows`;
      } catch (err) {
        csvNote.textContent = `CSV failed: ${(err as Error).message}`;
      } finally {
        csv.disabled = false;
      }
    })();
  });

  void pollBatch();
  void reload();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    blobs.revokeAll();
  };
}
