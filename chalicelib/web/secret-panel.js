// A webhook trigger's URL and secret, shown once (after creating the trigger or rotating its secret:
// the API never returns the secret again), with the signing mode's headers and a shell recipe.

import {h, uid} from './dom.js';
import {headerWords, recipe} from './webhook-recipe.js';

function copyButton(text, what) {
  const button = h('button', {type: 'button', class: 'btn btn-small'}, `Copy ${what}`);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = `Copied ${what}`;
    } catch (_) {
      button.textContent = 'Select and copy by hand';
    }
  });
  return button;
}

/** `material` is the API's secretMaterial {webhookUrl, webhookSecret}; `trigger` the trigger. */
export function secretPanel(trigger, material, {rotated = false} = {}) {
  const headingId = uid('secret');
  const mode = trigger.signingMode || 'bearer';
  const shell = recipe(mode, material.webhookUrl, material.webhookSecret);
  const panel = h('section', {class: 'secret-panel', 'aria-labelledby': headingId, tabindex: '-1',
                              'data-trigger-id': trigger.id},
    h('h3', {id: headingId}, rotated ? 'New webhook secret (shown once)' : 'Webhook URL and secret (shown once)'),
    h('p', {}, 'Copy the secret now: the service keeps it encrypted and never shows it again. ',
      rotated ? 'The old secret stopped working; the URL is unchanged.' : 'Rotating it later gives a new one.'),
    h('dl', {class: 'facts'},
      h('div', {}, h('dt', {}, 'URL'), h('dd', {}, h('code', {class: 'webhook-url'}, material.webhookUrl), ' ',
        copyButton(material.webhookUrl, 'URL'))),
      h('div', {}, h('dt', {}, 'Secret'), h('dd', {}, h('code', {class: 'webhook-secret'}, material.webhookSecret), ' ',
        copyButton(material.webhookSecret, 'secret'))),
      h('div', {}, h('dt', {}, 'Signing mode'), h('dd', {}, h('code', {}, mode))),
      h('div', {}, h('dt', {}, 'Headers'), h('dd', {}, headerWords(mode)))),
    h('p', {}, 'A signed request from a shell (bash, openssl, curl); the body is the run\u2019s payload:'),
    h('pre', {class: 'recipe', tabindex: '0', 'aria-label': `Shell recipe for ${mode}`}, h('code', {}, shell)),
    copyButton(shell, 'recipe'), ' ',
    h('button', {type: 'button', class: 'btn btn-small', onclick: () => panel.remove()}, 'I have saved it'));
  return panel;
}
