import { session, whenUnauthorized } from './api.js';
import { batchPage } from './batch.page.js';
import { batchesPage } from './batches.page.js';
import { predictionPage } from './prediction.page.js';
import { signInPage } from './signin.page.js';

/** A page renders into the root and returns what stops it (polling timers, blob URLs). */
export type Cleanup = () => void;

let cleanup: Cleanup | undefined;

function route(): void {
  cleanup?.();
  cleanup = undefined;
  const root = document.getElementById('app');
  if (!root) return;
  root.replaceChildren();
  const signedIn = session.key() !== null;
  const signOut = document.getElementById('sign-out');
  if (signOut) signOut.hidden = !signedIn;
  const note = document.getElementById('session-note');
  if (note) note.textContent = signedIn ? 'Signed in for this tab only' : '';
  if (!signedIn) {
    signInPage(root, route);
    return;
  }
  const hash = location.hash;
  const batch = /^#\/batch\/([A-Za-z0-9_-]+)$/.exec(hash);
  const prediction = /^#\/prediction\/([A-Za-z0-9_-]+)$/.exec(hash);
  if (batch) cleanup = batchPage(root, batch[1]);
  else if (prediction) cleanup = predictionPage(root, prediction[1]);
  else cleanup = batchesPage(root);
}

function start(): void {
  whenUnauthorized(() => {
    session.signOut();
    route();
  });
  document.getElementById('sign-out')?.addEventListener('click', () => {
    session.signOut();
    location.hash = '#/batches';
    route();
  });
  window.addEventListener('hashchange', route);
  route();
}

start();
