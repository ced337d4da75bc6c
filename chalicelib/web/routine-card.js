// One routine as a card: status, assignee, live issue, last run, its triggers (cron and zone in
// words, the next 5 fire times from GET /api/routine-triggers/{id}/preview in the trigger's zone and
// the viewer's) and the actions: pause/resume, run now, add a trigger, enable/disable, rotate secret.
// Works on both shapes the API gives: list items (trigger summaries) and GET /routines/{id}.

import * as api from './api.js';
import {actionButton, badge, facts, h, shortId, uid} from './dom.js';
import {describeCron} from './cron-words.js';
import {formatIn, timeEl, viewerZone} from './time.js';
import {secretPanel} from './secret-panel.js';
import {triggerForm} from './trigger-form.js';

const PREVIEW_COUNT = 5;

function agentLink(ctx, agentId) {
  if (!agentId) return h('span', {class: 'muted'}, 'Unassigned');
  const agent = ctx.context.agentsById.get(agentId);
  return h('a', {href: `#/companies/${ctx.context.company.id}/agents/${agentId}`}, agent ? agent.name : shortId(agentId));
}

export function issueLink(ctx, issue) {
  return h('a', {href: `#/companies/${ctx.context.company.id}/issues/${issue.id}`, title: issue.title || null},
    issue.identifier || `issue ${shortId(issue.id)}`);
}

function liveIssue(ctx, routine) {
  const issue = routine.activeIssue;
  if (!issue) return h('span', {class: 'muted'}, 'none');
  return h('span', {class: 'live-issue'}, issueLink(ctx, issue), ' ', issue.title, ' ', badge(issue.status));
}

function lastRun(ctx, routine) {
  const run = routine.lastRun;
  if (!run) return h('span', {class: 'muted'}, 'never run');
  const issue = run.linkedIssueId
    ? (routine.activeIssue && routine.activeIssue.id === run.linkedIssueId ? routine.activeIssue : {id: run.linkedIssueId})
    : null;
  return h('span', {}, badge(run.status), ' ', `${run.source}, `, timeEl(run.triggeredAt),
    issue ? [' → ', issueLink(ctx, issue)] : null);
}

/** The next fire times: a table filled when the preview answers (aria-busy until then). */
function fireTimes(trigger) {
  const zone = trigger.timezone || 'UTC';
  const mine = viewerZone();
  const captionId = uid('times');
  const body = h('tbody', {}, h('tr', {}, h('td', {colspan: '3', class: 'muted'}, 'Loading fire times…')));
  const table = h('table', {class: 'fire-times', 'aria-busy': 'true', 'aria-describedby': captionId, 'data-trigger-id': trigger.id},
    h('caption', {id: captionId}, `Next ${PREVIEW_COUNT} fire times`),
    h('thead', {}, h('tr', {},
      h('th', {scope: 'col'}, '#'),
      h('th', {scope: 'col'}, `In ${zone} (trigger)`),
      h('th', {scope: 'col'}, `In ${mine} (yours)`))),
    body);
  api.get(`/routine-triggers/${encodeURIComponent(trigger.id)}/preview`, {count: PREVIEW_COUNT}).then((preview) => {
    body.replaceChildren(...preview.times.map((iso, i) => h('tr', {'data-iso': iso},
      h('td', {}, String(i + 1)),
      h('td', {class: 'in-trigger-zone'}, h('time', {datetime: iso}, formatIn(iso, zone))),
      h('td', {class: 'in-viewer-zone'}, h('time', {datetime: iso}, formatIn(iso, mine))))));
  }).catch((error) => {
    body.replaceChildren(h('tr', {}, h('td', {colspan: '3'}, `Could not load fire times: ${error.message}`)));
  }).finally(() => table.removeAttribute('aria-busy'));
  return h('div', {class: 'table-wrap'}, table);
}

function triggerItem(trigger, routine, ctx, refresh, secretSlot, level) {
  const title = trigger.label ? `${trigger.label} (${trigger.kind})` : trigger.kind;
  const parts = [h(`h${level}`, {}, badge(trigger.kind, 'kind'), ' ', trigger.label || `${trigger.kind} trigger`, ' ',
    trigger.enabled ? badge('enabled') : badge('disabled'))];
  if (trigger.kind === 'schedule') {
    const words = describeCron(trigger.cronExpression);
    parts.push(h('p', {class: 'cron'}, h('span', {class: 'cron-words'}, words || 'Custom schedule'),
      ` (${trigger.timezone || 'UTC'} time)`, ' · ', h('span', {class: 'sr-label'}, 'cron '),
      h('code', {class: 'cron-expression'}, trigger.cronExpression)));
    if (!trigger.enabled || routine.status !== 'active') {
      parts.push(h('p', {class: 'hint'}, `Not firing while ${!trigger.enabled ? 'the trigger is disabled' : `the routine is ${routine.status}`}; the times below are what the schedule gives.`));
    }
    parts.push(fireTimes(trigger));
  } else if (trigger.kind === 'webhook') {
    const url = trigger.publicId ? `${location.origin}${api.API_ROOT}/routine-triggers/public/${trigger.publicId}/fire` : null;
    parts.push(facts([
      ['Signing mode', trigger.signingMode ? h('code', {}, trigger.signingMode) : null],
      ['Replay window', trigger.replayWindowSec ? `${trigger.replayWindowSec} s` : null],
      ['URL', url ? h('code', {}, url) : null],
      ['Secret rotated', trigger.lastRotatedAt ? timeEl(trigger.lastRotatedAt) : null],
    ]));
  } else {
    parts.push(h('p', {class: 'hint'}, `Fired through Run now / POST /api/routines/{id}/run with triggerId ${trigger.id}.`));
  }
  parts.push(facts([
    ['Last fired', trigger.lastFiredAt ? timeEl(trigger.lastFiredAt) : h('span', {class: 'muted'}, 'never')],
    ['Last result', trigger.lastResult ? h('span', {class: 'last-result'}, trigger.lastResult) : null],
  ]));
  const actions = h('div', {class: 'actions'});
  if (routine.status !== 'archived') {
    actions.append(actionButton(trigger.enabled ? 'Disable' : 'Enable', async () => {
      try {
        await api.patch(`/routine-triggers/${encodeURIComponent(trigger.id)}`, {enabled: !trigger.enabled});
        ctx.announce(`Trigger ${trigger.enabled ? 'disabled' : 'enabled'}`);
        await refresh();
      } catch (error) {
        ctx.showError(error);
      }
    }, {'aria-label': `${trigger.enabled ? 'Disable' : 'Enable'} ${title}`}));
    if (trigger.kind === 'webhook') {
      actions.append(actionButton('Rotate secret', async () => {
        if (!window.confirm('Rotate this webhook\u2019s secret? The current secret stops working at once.')) return;
        try {
          const result = await api.post(`/routine-triggers/${encodeURIComponent(trigger.id)}/rotate-secret`);
          showSecret(secretSlot, result, true);
          await refresh();
        } catch (error) {
          ctx.showError(error);
        }
      }, {'aria-label': `Rotate the secret of ${title}`}));
    }
  }
  return h('li', {class: 'trigger', 'data-trigger-id': trigger.id, 'data-kind': trigger.kind}, parts, actions);
}

function showSecret(slot, result, rotated) {
  if (!result.secretMaterial) return;
  const panel = secretPanel(result.trigger, result.secretMaterial, {rotated});
  slot.replaceChildren(panel);
  panel.focus();
}

function variableInput(variable) {
  const id = uid('var');
  const label = `${variable.label || variable.name}${variable.required === false ? ' (optional)' : ''}`;
  let input;
  if (variable.type === 'boolean') {
    input = h('select', {id, name: variable.name}, h('option', {value: ''}, '—'), h('option', {value: 'true'}, 'true'), h('option', {value: 'false'}, 'false'));
  } else if (variable.type === 'select') {
    input = h('select', {id, name: variable.name}, (variable.options || []).map((o) => h('option', {value: o}, o)));
  } else if (variable.type === 'textarea') {
    input = h('textarea', {id, name: variable.name, rows: '3'});
  } else {
    input = h('input', {id, name: variable.name, type: variable.type === 'number' ? 'number' : 'text'});
  }
  if (variable.defaultValue !== undefined && variable.defaultValue !== null) input.value = String(variable.defaultValue);
  return h('div', {class: 'field'}, h('label', {for: id}, label), input);
}

function coerce(variable, raw) {
  if (raw === '') return undefined;
  if (variable.type === 'number') return Number(raw);
  if (variable.type === 'boolean') return raw === 'true';
  return raw;
}

async function runNow(routine, ctx, refresh, variables) {
  try {
    const body = variables ? {variables} : {};
    const run = await api.post(`/routines/${encodeURIComponent(routine.id)}/run`, body);
    const what = {
      issue_created: 'created an issue', coalesced: 'coalesced into the live issue', skipped: 'was skipped (an issue is live)',
      failed: `failed: ${run.failureReason || ''}`,
    }[run.status] || run.status;
    ctx.announce(`Run ${shortId(run.id)} ${what}`);
    await refresh({notice: `Run ${shortId(run.id)} ${what}.`});
  } catch (error) {
    ctx.showError(error);
  }
}

function runForm(routine, ctx, refresh, close) {
  const vars = routine.variables || [];
  const form = h('form', {class: 'run-form', novalidate: true, 'aria-label': `Run ${routine.title} with variables`},
    vars.map(variableInput),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Run'),
      h('button', {type: 'button', class: 'btn', onclick: close}, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = {};
    for (const variable of vars) {
      const value = coerce(variable, form.elements[variable.name].value);
      if (value !== undefined) values[variable.name] = value;
    }
    await runNow(routine, ctx, refresh, values);
  });
  return form;
}

/**
 * The card. Options: `heading` (2 in lists, none on the routine's own page), `onChanged()` called
 * after an action changed the routine (the card has already redrawn itself). Returns {element}; the
 * secret panel goes into `secretSlot`, outside the card, so it survives the redraw.
 */
export function routineCard(routine, ctx, {heading = 2, secretSlot, onChanged, notice} = {}) {
  const cid = ctx.context.company.id;
  const headingId = uid('routine');
  const card = h('article', {class: `card routine status-${routine.status}`, 'data-routine-id': routine.id,
                             'aria-labelledby': headingId});
  const refresh = async (options = {}) => {
    const fresh = await api.get(`/routines/${encodeURIComponent(routine.id)}`);
    const next = routineCard(fresh, ctx, {heading, secretSlot, onChanged, notice: options.notice});
    card.replaceWith(next);
    if (onChanged) await onChanged(fresh);
  };
  const project = ctx.context.projectsById.get(routine.projectId);
  const titleText = heading
    ? h(`h${heading}`, {id: headingId}, h('a', {href: `#/companies/${cid}/routines/${routine.id}`}, routine.title))
    : h('p', {id: headingId, class: 'visually-hidden'}, routine.title);
  card.append(h('header', {class: 'card-head'}, titleText, badge(routine.status)));
  if (notice) card.append(h('p', {class: 'notice', role: 'status'}, notice));
  card.append(facts([
    ['Assignee', agentLink(ctx, routine.assigneeAgentId)],
    ['Project', project ? project.name : shortId(routine.projectId)],
    ['Priority', badge(routine.priority)],
    ['Concurrency', h('code', {}, routine.concurrencyPolicy)],
    ['Catch-up', h('code', {}, routine.catchUpPolicy)],
    ['Live issue', liveIssue(ctx, routine)],
    ['Last run', lastRun(ctx, routine)],
  ]));

  const formSlot = h('div', {class: 'form-slot'});
  const actions = h('div', {class: 'actions', role: 'group', 'aria-label': `Actions for ${routine.title}`});
  if (routine.status === 'active' || routine.status === 'paused') {
    const pausing = routine.status === 'active';
    actions.append(actionButton(pausing ? 'Pause' : 'Resume', async () => {
      try {
        await api.patch(`/routines/${encodeURIComponent(routine.id)}`, {status: pausing ? 'paused' : 'active'});
        ctx.announce(`${routine.title} ${pausing ? 'paused' : 'resumed'}`);
        await refresh();
      } catch (error) {
        ctx.showError(error);
      }
    }));
  }
  if (routine.status !== 'archived') {
    actions.append(actionButton('Run now', async () => {
      if ((routine.variables || []).length) {
        const form = runForm(routine, ctx, refresh, () => formSlot.replaceChildren());
        formSlot.replaceChildren(form);
        form.querySelector('input, select, textarea, button').focus();
        return;
      }
      await runNow(routine, ctx, refresh);
    }));
    const addButton = h('button', {type: 'button', class: 'btn', 'aria-expanded': 'false'}, 'Add trigger');
    addButton.addEventListener('click', () => {
      if (addButton.getAttribute('aria-expanded') === 'true') {
        formSlot.replaceChildren();
        addButton.setAttribute('aria-expanded', 'false');
        return;
      }
      const form = triggerForm(routine, ctx, async (result) => {
        formSlot.replaceChildren();
        ctx.announce(`${result.trigger.kind} trigger added`);
        showSecret(secretSlot, result, false);
        await refresh();
        if (result.secretMaterial) secretSlot.firstElementChild?.focus();
      }, () => {
        formSlot.replaceChildren();
        addButton.setAttribute('aria-expanded', 'false');
        addButton.focus();
      });
      formSlot.replaceChildren(form);
      addButton.setAttribute('aria-expanded', 'true');
      form.querySelector('input').focus();
    });
    actions.append(addButton);
  }
  card.append(actions, formSlot);

  const triggers = routine.triggers || [];
  const level = heading ? heading + 1 : 2;
  card.append(h('section', {class: 'triggers', 'aria-label': `Triggers of ${routine.title}`},
    h(`h${level}`, {}, `Triggers (${triggers.length})`),
    triggers.length
      ? h('ul', {class: 'trigger-list'}, triggers.map((t) => triggerItem(t, routine, ctx, refresh, secretSlot, level + 1)))
      : h('p', {class: 'muted'}, 'No triggers: it runs only when started by hand.')));
  return card;
}
