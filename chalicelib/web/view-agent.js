// #/companies/{id}/agents/{agentId} — an agent and its heartbeat runs (GET
// /api/agents/{id}/heartbeat-runs, newest first): status, when it was queued, started and finished,
// what woke it (with the issue) and its error.

import * as api from './api.js';
import {badge, facts, h, labelCells, shortId, uid} from './dom.js';
import {loadMore} from './paging.js';
import {timeEl} from './time.js';

const RUN_STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
const PAGE = 50;
const COLUMNS = ['Run', 'Status', 'Queued', 'Started', 'Finished', 'Woken by', 'Error'];
let statusFilter = '';

function wakeups(ctx, run) {
  const cid = ctx.context.company.id;
  return h('ul', {class: 'wakeups'}, (run.wakeups || []).map((w) => h('li', {},
    h('code', {}, w.reason), w.issueId ? [' · ', h('a', {href: `#/companies/${cid}/issues/${w.issueId}`}, `issue ${shortId(w.issueId)}`)] : null,
    ' · ', timeEl(w.at))));
}

function runRow(ctx, run) {
  return labelCells(h('tr', {'data-run-id': run.id, 'data-status': run.status},
    h('th', {scope: 'row'}, h('code', {title: run.id}, shortId(run.id))),
    h('td', {}, badge(run.status)),
    h('td', {}, timeEl(run.createdAt)),
    h('td', {}, run.startedAt ? timeEl(run.startedAt) : '—'),
    h('td', {}, run.finishedAt ? timeEl(run.finishedAt) : (run.expiresAt ? ['expires ', timeEl(run.expiresAt)] : '—')),
    h('td', {}, wakeups(ctx, run)),
    h('td', {}, run.error || '')), COLUMNS);
}

export async function render(ctx) {
  const aid = ctx.params[1];
  const path = `/agents/${encodeURIComponent(aid)}/heartbeat-runs`;
  const fetchPage = (cursor) => api.page(path, {status: statusFilter, limit: PAGE, cursor});
  const [agent, first] = await Promise.all([api.get(`/agents/${encodeURIComponent(aid)}`), fetchPage(null)]);
  const body = h('tbody', {}, first.items.map((run) => runRow(ctx, run)));
  const filterId = uid('status');
  const filter = h('select', {id: filterId}, RUN_STATUSES.map((s) => h('option', {value: s, selected: s === statusFilter}, s || 'All')));
  filter.addEventListener('change', () => {
    statusFilter = filter.value;
    ctx.rerender();
  });
  const manager = agent.reportsTo ? ctx.context.agentsById.get(agent.reportsTo) : null;
  ctx.show(
    h('p', {class: 'breadcrumb'}, h('a', {href: `#/companies/${ctx.context.company.id}/agents`}, 'Agents'), ' / '),
    h('h1', {}, agent.name),
    h('p', {class: 'meta'}, badge(agent.status)),
    facts([['Role', agent.role], ['Title', agent.title], ['Reports to', manager ? manager.name : null],
           ['Created', timeEl(agent.createdAt)]]),
    h('section', {'aria-labelledby': 'runs-heading'},
      h('h2', {id: 'runs-heading'}, 'Heartbeat runs'),
      h('div', {class: 'toolbar'}, h('label', {for: filterId}, 'Status'), filter),
      first.items.length
        ? h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Heartbeat runs table'},
          h('table', {class: 'heartbeat-runs stack'},
            h('caption', {}, 'Newest first. A run is queued by a wakeup and running once started.'),
            h('thead', {}, h('tr', {}, COLUMNS.map((l) => h('th', {scope: 'col'}, l)))),
            body))
        : h('p', {class: 'muted'}, 'No heartbeat runs.'),
      loadMore(first.next, fetchPage, (items) => body.append(...items.map((run) => runRow(ctx, run))), ctx, 'Older runs')));
  return `${agent.name} · Agents`;
}
