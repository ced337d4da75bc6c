// Adding a trigger to a routine: POST /api/routines/{id}/triggers with a schedule (cron + IANA zone),
// a webhook (signing mode, replay window) or an api trigger. The cron is read back in words as it is
// typed; the API validates it (422 with its reason, shown in the form).

import * as api from './api.js';
import {h, uid} from './dom.js';
import {describeCron} from './cron-words.js';
import {viewerZone} from './time.js';

const SIGNING_MODES = [
  ['bearer', 'bearer — Authorization: Bearer <secret>'],
  ['hmac_sha256', 'hmac_sha256 — timestamped HMAC (X-Paperclip-Signature)'],
  ['github_hmac', 'github_hmac — GitHub style (X-Hub-Signature-256)'],
  ['standard_webhooks', 'standard_webhooks — webhook-id/-timestamp/-signature'],
  ['none', 'none — no signature'],
];

let zoneList = null;
function zones() {
  if (!zoneList) {
    zoneList = h('datalist', {id: 'board-time-zones'},
      (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : ['UTC']).map((z) => h('option', {value: z})));
    document.body.append(zoneList);
  }
  return zoneList.id;
}

function field(label, input, hint) {
  const id = input.id || uid('f');
  input.id = id;
  const hintId = hint ? uid('hint') : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', {class: 'field'}, h('label', {for: id}, label), input,
    hint ? h('p', {id: hintId, class: 'hint'}, hint) : null);
}

/**
 * The form; `onCreated(result)` gets the API's {trigger, secretMaterial}; `onCancel()` closes it.
 */
export function triggerForm(routine, ctx, onCreated, onCancel) {
  const name = uid('kind');
  const kinds = [['schedule', 'Schedule'], ['webhook', 'Webhook'], ['api', 'API']];
  const radios = kinds.map(([value, label], i) => {
    const id = uid('kind');
    return h('span', {class: 'radio'}, h('input', {type: 'radio', name, id, value, checked: i === 0}), h('label', {for: id}, label));
  });
  const label = h('input', {type: 'text', maxlength: '120', autocomplete: 'off'});
  const cron = h('input', {type: 'text', value: '0 9 * * 1-5', autocomplete: 'off', spellcheck: 'false', class: 'mono', required: true});
  const words = h('p', {class: 'hint cron-words', 'aria-live': 'polite'});
  const zone = h('input', {type: 'text', value: viewerZone(), list: zones(), autocomplete: 'off', spellcheck: 'false', required: true});
  const mode = h('select', {}, SIGNING_MODES.map(([value, text]) => h('option', {value}, text)));
  const replay = h('input', {type: 'number', min: '30', max: '86400', value: '300', inputmode: 'numeric'});
  const error = h('p', {class: 'form-error', role: 'alert'});

  const updateWords = () => {
    const text = describeCron(cron.value);
    words.textContent = text ? `${text} (${zone.value || 'UTC'} time)` : 'Not a 5-field cron expression yet.';
  };
  cron.addEventListener('input', updateWords);
  zone.addEventListener('input', updateWords);
  updateWords();

  const scheduleFields = h('div', {class: 'kind-fields', 'data-kind': 'schedule'},
    field('Cron expression (minute hour day-of-month month day-of-week)', cron), words,
    field('Time zone (IANA)', zone, 'The schedule runs on this zone\u2019s wall clock, across DST changes.'));
  const webhookFields = h('div', {class: 'kind-fields', 'data-kind': 'webhook', hidden: true},
    field('Signing mode', mode), field('Replay window (seconds, 30–86400)', replay));
  const apiFields = h('div', {class: 'kind-fields', 'data-kind': 'api', hidden: true},
    h('p', {class: 'hint'}, 'An api trigger has no URL: it is fired with POST /api/routines/{id}/run and its triggerId.'));

  const form = h('form', {class: 'trigger-form', novalidate: true, 'aria-label': `Add a trigger to ${routine.title}`},
    h('fieldset', {}, h('legend', {}, 'Kind'), radios),
    field('Label (optional)', label),
    scheduleFields, webhookFields, apiFields, error,
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'btn btn-primary'}, 'Add trigger'),
      h('button', {type: 'button', class: 'btn', onclick: onCancel}, 'Cancel')));

  const kind = () => form.querySelector(`input[name="${name}"]:checked`).value;
  form.addEventListener('change', (event) => {
    if (event.target.name !== name) return;
    for (const fields of form.querySelectorAll('.kind-fields')) fields.hidden = fields.dataset.kind !== kind();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = {kind: kind()};
    if (label.value.trim()) body.label = label.value.trim();
    if (body.kind === 'schedule') Object.assign(body, {cronExpression: cron.value.trim(), timezone: zone.value.trim()});
    if (body.kind === 'webhook') Object.assign(body, {signingMode: mode.value, replayWindowSec: Number(replay.value)});
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      onCreated(await api.post(`/routines/${encodeURIComponent(routine.id)}/triggers`, body));
    } catch (failure) {
      error.textContent = failure instanceof api.ApiError ? failure.describe() : String(failure);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
