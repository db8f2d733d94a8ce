import { blobUrl, type BlobOwner } from './api.js';
import { bar, h, percent } from './dom.js';
import { MARK_TEXT, marksOf } from './marks.js';
import type { Prediction } from './types.js';

/** One grid cell: thumbnail, top label, confidence bar, marks, failure message. */
export function batchCard(p: Prediction, lowMargin: number, blobs: BlobOwner): HTMLElement {
  const thumb = h('div', { class: 'thumb' });
  if (p.status === 'succeeded') {
    blobUrl(`/v1/predictions/${p.id}/thumbnail`, blobs)
      .then((url) =>
        thumb.append(h('img', { src: url, alt: p.filename ?? p.id, 'data-testid': 'thumbnail' })),
      )
      .catch(() => thumb.append(h('span', { class: 'muted' }, 'no thumbnail')));
  } else {
    thumb.append(h('span', { class: 'muted' }, p.status));
  }
  const marks = marksOf(p, lowMargin);
  return h(
    'a',
    {
      class: 'card',
      href: `#/prediction/${p.id}`,
      'data-testid': 'card',
      'data-prediction-id': p.id,
      'data-label': p.result?.label ?? '',
      'data-marks': marks.join(' '),
    },
    thumb,
    h(
      'div',
      { class: 'body' },
      h('span', { class: 'name', title: p.filename ?? '' }, p.filename ?? p.id),
      p.result &&
        h(
          'span',
          { class: 'label', 'data-testid': 'card-label' },
          `${p.result.label} · ${percent(p.result.confidence)}`,
        ),
      p.result && bar(p.result.confidence, 'bar', 'confidence'),
      marks.length > 0 &&
        h(
          'div',
          { class: 'marks' },
          ...marks.map((m) => h('span', { class: `mark ${m}`, 'data-testid': `mark-${m}` }, MARK_TEXT[m])),
        ),
      p.error &&
        h('span', { class: 'failure', 'data-testid': 'failure' }, `${p.error.code}: ${p.error.message}`),
    ),
  );
}
