// #/companies/{id}/routines/{routineId} — one routine (GET /api/routines/{id}) and its run history
// (GET /api/routines/{id}/runs, newest first): status, source, the nominal tick (scheduledFor) beside
// when it was triggered, the linked issue and, for coalesced or skipped runs, the run they joined.

import * as api from './api.js';
import {badge, h, labelCells, shortId} from './dom.js';
import {renderMarkdown} from './markdown.js';
import {loadMore} from './paging.js';
import {issueLink, routineCard} from './routine-card.js';
import {lag, timeEl} from './time.js';

const PAGE = 50;
const COLUMNS = ['Run', 'Status', 'Source', 'Scheduled for', 'Triggered at', 'Linked issue', 'Coalesced into', 'Notes'];

/** Identifiers of the linked issues (one GET per distinct issue, four at a time). */
async function resolveIssues(runs, known) {
  const missing = [...new Set(runs.map((r) => r.linkedIssueId).filter((id) => id && !known.has(id)))];
  await api.mapLimited(missing, 4, async (id) => {
    try {
      const issue = await api.get(`/issues/${encodeURIComponent(id)}`);
      known.set(id, issue);
    } catch (_) {
      known.set(id, {id});
    }
  });
}

function runRow(run, ctx, issues, triggersById) {
  const trigger = run.triggerId ? triggersById.get(run.triggerId) : null;
  const source = trigger ? `${run.source} (${trigger.label || trigger.kind})` : run.source;
  const jumpTo = (id) => {
    const row = document.getElementById(`run-${id}`);
    if (row) {
      row.focus();
      row.scrollIntoView({block: 'center'});
    }
  };
  return labelCells(h('tr', {id: `run-${run.id}`, tabindex: '-1', 'data-run-id': run.id, 'data-status': run.status},
    h('th', {scope: 'row'}, h('code', {title: run.id}, shortId(run.id))),
    h('td', {}, badge(run.status)),
    h('td', {}, source),
    h('td', {class: 'scheduled-for'}, run.scheduledFor ? timeEl(run.scheduledFor) : h('span', {class: 'muted'}, '—')),
    h('td', {class: 'triggered-at'}, timeEl(run.triggeredAt),
      run.scheduledFor ? h('span', {class: 'muted'}, ` (${lag(run.scheduledFor, run.triggeredAt)})`) : null),
    h('td', {class: 'linked-issue'}, run.linkedIssueId ? issueLink(ctx, issues.get(run.linkedIssueId) || {id: run.linkedIssueId}) : '—'),
    h('td', {class: 'coalesced-into'}, run.coalescedIntoRunId
      ? h('button', {type: 'button', class: 'link-button', onclick: () => jumpTo(run.coalescedIntoRunId),
                     'aria-label': `Go to run ${shortId(run.coalescedIntoRunId)}`}, `run ${shortId(run.coalescedIntoRunId)}`)
      : '—'),
    h('td', {}, run.failureReason || (run.completedAt && run.status === 'completed' ? ['completed ', timeEl(run.completedAt)] : ''))), COLUMNS);
}

export async function render(ctx) {
  const rid = ctx.params[1];
  const [routine, first] = await Promise.all([
    api.get(`/routines/${encodeURIComponent(rid)}`),
    api.page(`/routines/${encodeURIComponent(rid)}/runs`, {limit: PAGE}),
  ]);
  const issues = new Map(routine.activeIssue ? [[routine.activeIssue.id, routine.activeIssue]] : []);
  await resolveIssues(first.items, issues);
  const triggersById = new Map((routine.triggers || []).map((t) => [t.id, t]));
  const body = h('tbody', {}, first.items.map((run) => runRow(run, ctx, issues, triggersById)));
  const table = h('table', {class: 'runs stack'},
    h('caption', {}, 'Runs, newest first. Scheduled for is the nominal tick of a schedule run; triggered at is when it fired.'),
    h('thead', {}, h('tr', {}, COLUMNS.map((label) => h('th', {scope: 'col'}, label)))),
    body);

  const runsSection = h('section', {class: 'run-history', 'aria-labelledby': 'run-history-heading'},
    h('h2', {id: 'run-history-heading'}, 'Run history'),
    first.items.length ? h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Run history table'}, table)
      : h('p', {class: 'muted'}, 'No runs yet.'),
    loadMore(first.next, async (cursor) => {
      const next = await api.page(`/routines/${encodeURIComponent(rid)}/runs`, {limit: PAGE, cursor});
      await resolveIssues(next.items, issues);
      return next;
    }, (items) => body.append(...items.map((run) => runRow(run, ctx, issues, triggersById))), ctx, 'Older runs'));

  const secretSlot = h('div', {class: 'secret-slot'});
  const card = routineCard(routine, ctx, {heading: null, secretSlot, onChanged: async (freshRoutine) => {
    // A run or status change shows in the history: redraw it under the card.
    const fresh = await api.page(`/routines/${encodeURIComponent(rid)}/runs`, {limit: PAGE});
    if (freshRoutine.activeIssue) issues.set(freshRoutine.activeIssue.id, freshRoutine.activeIssue);
    await resolveIssues(fresh.items, issues);
    body.replaceChildren(...fresh.items.map((run) => runRow(run, ctx, issues, triggersById)));
    if (!table.isConnected && fresh.items.length) {
      runsSection.querySelector('p.muted')?.replaceWith(h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Run history table'}, table));
    }
  }});
  ctx.show(
    h('p', {class: 'breadcrumb'}, h('a', {href: `#/companies/${ctx.context.company.id}/routines`}, 'Routines'), ' / '),
    h('h1', {}, routine.title),
    routine.description ? renderMarkdown(routine.description) : null,
    secretSlot, card, runsSection);
  return `${routine.title} · Routines`;
}
