import { h } from './dom.js';
import type { Mark } from './marks.js';

export interface FilterState {
  label: string;
  marks: Mark[];
  margin: number;
  q: string;
  order: 'created' | 'confidence';
}

/** The listing query for a filter (GET /v1/batches/{id}/predictions). */
export function filterQuery(f: FilterState, limit: number, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(limit), order: f.order, margin: String(f.margin) });
  if (f.label) params.set('label', f.label);
  if (f.marks.length) params.set('mark', f.marks.join(','));
  if (f.q.trim()) params.set('q', f.q.trim());
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

/** The filter bar; calls `changed` with the new state (text input debounced). */
export function filterBar(labels: string[], initial: FilterState, changed: (f: FilterState) => void) {
  const state: FilterState = { ...initial, marks: [...initial.marks] };
  const label = h('select', { 'data-testid': 'filter-label' }, h('option', { value: '' }, 'any label'));
  const setLabels = (list: string[]): void => {
    label.replaceChildren(
      h('option', { value: '' }, 'any label'),
      ...list.map((l) => h('option', { value: l }, l)),
    );
    label.value = state.label;
  };
  setLabels(labels);
  const markBox = (mark: Mark, text: string): HTMLElement => {
    const box = h('input', { type: 'checkbox', value: mark, 'data-testid': `filter-${mark}` });
    box.checked = state.marks.includes(mark);
    box.addEventListener('change', () => {
      state.marks = box.checked ? [...state.marks, mark] : state.marks.filter((m) => m !== mark);
      changed({ ...state });
    });
    return h('label', {}, box, ` ${text}`);
  };
  const margin = h('input', {
    type: 'number',
    min: 0,
    max: 1,
    step: 0.01,
    value: state.margin,
    'data-testid': 'filter-margin',
  });
  const q = h('input', { type: 'search', placeholder: 'accession, filename…', 'data-testid': 'filter-text' });
  const order = h(
    'select',
    { 'data-testid': 'filter-order' },
    h('option', { value: 'created' }, 'upload order'),
    h('option', { value: 'confidence' }, 'confidence, highest first'),
  );
  label.addEventListener('change', () => changed({ ...state, label: (state.label = label.value) }));
  order.addEventListener('change', () => {
    state.order = order.value === 'confidence' ? 'confidence' : 'created';
    changed({ ...state });
  });
  margin.addEventListener('change', () => {
    const value = Number(margin.value);
    if (Number.isFinite(value) && value >= 0 && value <= 1)
      changed({ ...state, margin: (state.margin = value) });
  });
  let debounce: number | undefined;
  q.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => changed({ ...state, q: (state.q = q.value) }), 300);
  });
  const element = h(
    'div',
    { class: 'filters', 'data-testid': 'filters' },
    h('label', {}, 'Top label', label),
    h(
      'fieldset',
      {},
      h('legend', { class: 'muted' }, 'Marks (any of)'),
      markBox('not_lesion', 'not a lesion'),
      markBox('low_confidence', 'low confidence'),
      markBox('failed', 'failed'),
    ),
    h('label', {}, 'Low confidence: margin under', margin),
    h('label', {}, 'Metadata text', q),
    h('label', {}, 'Sort', order),
  );
  return { element, setLabels };
}
