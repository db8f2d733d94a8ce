import { keyAccepted, session } from './api.js';
import { h } from './dom.js';

/** Sign-in: the key is checked against the API once, then kept in this tab's sessionStorage. */
export function signInPage(root: HTMLElement, done: () => void): void {
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    'data-testid': 'api-key',
  });
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': 'signin-error' });
  const form = h(
    'form',
    { class: 'signin', 'data-testid': 'signin' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'signin-submit' }, 'Sign in'),
    message,
    h('p', { class: 'muted' }, 'The key stays in this browser tab only and is sent to this API alone.'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    message.textContent = '';
    keyAccepted(key)
      .then((accepted) => {
        if (!accepted) {
          message.textContent = 'That API key was refused.';
          return;
        }
        session.signIn(key);
        done();
      })
      .catch((err: Error) => (message.textContent = `Could not sign in: ${err.message}`));
  });
  root.append(form);
  input.focus();
}
