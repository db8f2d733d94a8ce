import { ApiFailure, BlobOwner, blobUrl, getJson, postJson } from './api.js';
import { bar, h, percent, when } from './dom.js';
import { MARK_TEXT, marksOf, savedMargin } from './marks.js';
import type { Explanation, Prediction } from './types.js';

const EXPLAIN_POLL_MS = 1500;

function fact(term: string, value: string, testid?: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', { 'data-testid': testid }, value)];
}

/** All probabilities as labelled bars, in the model's own order (never re-sorted). */
function probabilityBars(p: Prediction): HTMLElement {
  const rows = (p.result?.probabilities ?? []).flatMap((x) => {
    const top = x.label === p.result?.label;
    return [
      h('span', { class: top ? 'top-class' : '', 'data-testid': 'prob-label' }, x.label),
      bar(x.probability, 'pbar'),
      h(
        'span',
        { class: 'value', 'data-testid': 'prob-value', 'data-probability': x.probability },
        percent(x.probability, 2),
      ),
    ];
  });
  return h('div', { class: 'probs', 'data-testid': 'probabilities' }, ...rows);
}

/** One prediction: image with explanation overlay, every probability, model and timestamps. */
export function predictionPage(root: HTMLElement, id: string): () => void {
  let stopped = false;
  let timer: number | undefined;
  const blobs = new BlobOwner();
  const status = h('p', { class: 'muted' }, 'Loading…');
  root.append(status);

  const figure = h('div', { class: 'figure' });
  const overlay = h('img', {
    class: 'overlay',
    alt: 'explanation overlay',
    hidden: true,
    'data-testid': 'overlay',
  });
  const opacity = h('input', {
    type: 'range',
    min: 0,
    max: 100,
    value: 60,
    'data-testid': 'overlay-opacity',
  });
  const explainButton = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'explain' },
    'Explain (occlusion map)',
  );
  const explainStatus = h('span', { class: 'muted', 'data-testid': 'explain-status' });
  const setOpacity = (): void => {
    overlay.style.opacity = String(Number(opacity.value) / 100);
  };
  opacity.addEventListener('input', setOpacity);
  setOpacity();

  const showExplanation = (e: Explanation): void => {
    const otherModel =
      e.model && e.model.version !== modelVersion
        ? ` (computed by another model version: ${e.model.version.slice(0, 19)}…)`
        : '';
    explainStatus.textContent =
      e.status === 'succeeded'
        ? `Occlusion map of "${e.label ?? ''}": red patches lowered it most when hidden.${otherModel}`
        : e.status === 'failed'
          ? `Explanation failed: ${e.error?.message ?? ''}`
          : `Explanation ${e.status}…`;
    explainButton.disabled = e.status === 'queued' || e.status === 'processing';
    if (e.status === 'succeeded' && e.overlay_url) {
      blobUrl(e.overlay_url, blobs)
        .then((url) => {
          if (stopped) return;
          overlay.src = url;
          overlay.hidden = false;
        })
        .catch((err: Error) => (explainStatus.textContent = `Overlay: ${err.message}`));
    } else if (e.status === 'queued' || e.status === 'processing') {
      timer = window.setTimeout(() => void loadExplanation(), EXPLAIN_POLL_MS);
    }
  };

  const loadExplanation = async (): Promise<void> => {
    try {
      const e = await getJson<Explanation>(`/v1/predictions/${id}/explanation`);
      if (!stopped) showExplanation(e);
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 404) explainStatus.textContent = 'No explanation yet.';
      else explainStatus.textContent = `Explanation: ${(err as Error).message}`;
    }
  };

  explainButton.addEventListener('click', () => {
    explainButton.disabled = true;
    postJson<Explanation>(`/v1/predictions/${id}/explanation`)
      .then((e) => !stopped && showExplanation(e))
      .catch((err: Error) => {
        explainButton.disabled = false;
        explainStatus.textContent = `Could not ask for an explanation: ${err.message}`;
      });
  });

  let modelVersion: string | undefined;
  const render = (p: Prediction): void => {
    modelVersion = p.result?.model.version;
    status.remove();
    const image = h('img', { class: 'image', alt: p.filename ?? p.id, 'data-testid': 'image' });
    figure.append(image, overlay);
    // Browsers show JPEG, PNG, WebP, GIF (and BMP); a TIFF falls back to its thumbnail.
    blobUrl(`/v1/predictions/${id}/image`, blobs)
      .then((url) => {
        image.addEventListener(
          'error',
          () => void blobUrl(`/v1/predictions/${id}/thumbnail`, blobs).then((t) => (image.src = t)),
          { once: true },
        );
        image.src = url;
      })
      .catch(() => (image.alt = 'image unavailable'));
    const r = p.result;
    const marks = marksOf(p, savedMargin());
    root.append(
      h(
        'p',
        {},
        p.batch_id
          ? h('a', { href: `#/batch/${p.batch_id}` }, '← Batch')
          : h('a', { href: '#/batches' }, '← Batches'),
      ),
      h('h1', { 'data-testid': 'prediction-title' }, r ? `${r.label} · ${percent(r.confidence)}` : p.status),
      h('div', { class: 'marks' }, ...marks.map((m) => h('span', { class: `mark ${m}` }, MARK_TEXT[m]))),
      h(
        'div',
        { class: 'detail' },
        h(
          'section',
          {},
          figure,
          r && h('div', { class: 'explain' }, explainButton, h('label', {}, 'Overlay opacity ', opacity)),
          r && explainStatus,
        ),
        h(
          'section',
          {},
          r
            ? probabilityBars(p)
            : h(
                'p',
                { class: 'error', 'data-testid': 'failure' },
                p.error ? `${p.error.code}: ${p.error.message}` : p.status,
              ),
          h(
            'dl',
            { class: 'facts' },
            ...fact('Prediction', p.id),
            ...fact('File', p.filename ?? '—'),
            ...fact('Model', r?.model.id ?? '—', 'model-id'),
            ...fact('Model version', r?.model.version ?? '—', 'model-version'),
            ...fact(
              'Preprocessing',
              r ? `${r.preprocessing.mode}${r.preprocessing.auto_orient ? ', auto-orient' : ''}` : '—',
              'preprocessing',
            ),
            ...fact('Cached result', r ? String(r.cached) : '—'),
            ...fact('Image', `${p.image.width}×${p.image.height} ${p.image.format}, ${p.image.bytes} bytes`),
            ...fact('sha256', p.image.sha256),
            ...fact('Created', when(p.created_at)),
            ...fact('Completed', when(p.completed_at)),
          ),
          h('h2', {}, 'Metadata'),
          h('pre', { class: 'metadata', 'data-testid': 'metadata' }, JSON.stringify(p.metadata, null, 2)),
        ),
      ),
    );
    if (r) void loadExplanation();
  };

  getJson<Prediction>(`/v1/predictions/${id}`)
    .then((p) => !stopped && render(p))
    .catch((err: Error) => (status.textContent = `Could not load the prediction: ${err.message}`));
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    blobs.revokeAll();
  };
}
