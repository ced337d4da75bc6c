// Sign in with a board token (pcb_…). It is kept in sessionStorage for this tab only and sent as
// `Authorization: Bearer`; the input has no name, so even a form submitted without this script would
// not put it in a URL. Board tokens come from `tools/admin.py create-board-user` or
// POST /api/board-users/{userId}/tokens.

import * as api from './api.js';
import {h, uid} from './dom.js';

export async function render(ctx) {
  const inputId = uid('token');
  const hintId = uid('hint');
  const errorId = uid('error');
  const error = h('p', {id: errorId, class: 'form-error', role: 'alert'});
  const reason = sessionStorage.getItem('paperclip.signInReason');
  sessionStorage.removeItem('paperclip.signInReason');
  const input = h('input', {id: inputId, type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
                            'aria-describedby': `${hintId} ${errorId}`});
  const form = h('form', {class: 'card form', novalidate: true},
    h('div', {class: 'field'},
      h('label', {for: inputId}, 'Board token'),
      input,
      h('p', {id: hintId, class: 'hint'},
        'A board API token (pcb_…). It stays in this browser tab only and is sent with each API call.')),
    error,
    h('button', {type: 'submit', class: 'btn btn-primary'}, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    error.textContent = '';
    if (!value) {
      error.textContent = 'Enter a token.';
      input.focus();
      return;
    }
    api.signIn(value);
    try {
      await ctx.afterSignIn();
    } catch (failure) {
      api.signOut();
      error.textContent = failure instanceof api.ApiError && failure.status === 403
        ? 'That token is not a board token.'
        : 'That token was not accepted.';
      input.focus();
    }
  });
  const intro = ctx.authMode === 'local_trusted'
    ? 'This server runs without sign-in (local_trusted): you act as the local board. Sign in to act as a board user instead.'
    : 'This server needs a board token.';
  ctx.show(h('h1', {}, 'Sign in'), reason ? h('p', {class: 'notice'}, reason) : null, h('p', {}, intro), form);
  return 'Sign in';
}
