// #/companies/{id}/activity — the company's audit trail (GET /api/companies/{id}/activity, newest
// first): who did what to which entity, filterable by entity type and acting agent.

import * as api from './api.js';
import {h, shortId, uid} from './dom.js';
import {loadMore} from './paging.js';
import {timeEl} from './time.js';

const ENTITY_TYPES = ['', 'issue', 'comment', 'document', 'attachment', 'routine', 'routine_trigger', 'routine_run',
                      'agent', 'heartbeat_run', 'project', 'goal', 'company'];
const PAGE = 50;
const filters = {entityType: '', agentId: ''};

function actor(ctx, event) {
  if (event.actorType === 'agent') {
    const agent = ctx.context.agentsById.get(event.actorId);
    return h('a', {href: `#/companies/${ctx.context.company.id}/agents/${event.actorId}`}, agent ? agent.name : shortId(event.actorId));
  }
  if (event.actorType === 'system') return 'System';
  return event.actorId === 'local-board' ? 'Local board' : `Board ${shortId(event.actorId)}`;
}

function entity(ctx, event) {
  const cid = ctx.context.company.id;
  const d = event.details || {};
  const label = d.identifier || d.title || d.name || shortId(event.entityId);
  switch (event.entityType) {
    case 'issue': return h('a', {href: `#/companies/${cid}/issues/${event.entityId}`}, label);
    case 'routine': return h('a', {href: `#/companies/${cid}/routines/${event.entityId}`}, label);
    case 'routine_run':
    case 'routine_trigger':
      return d.routineId ? h('a', {href: `#/companies/${cid}/routines/${d.routineId}`}, `${event.entityType.replace('_', ' ')} ${shortId(event.entityId)}`)
        : `${event.entityType} ${shortId(event.entityId)}`;
    case 'agent': return h('a', {href: `#/companies/${cid}/agents/${event.entityId}`}, label);
    case 'heartbeat_run':
      return d.agentId ? h('a', {href: `#/companies/${cid}/agents/${d.agentId}`}, `run ${shortId(event.entityId)}`) : `run ${shortId(event.entityId)}`;
    default: return `${event.entityType} ${label}`;
  }
}

function detailText(details) {
  // The details object in short: scalar values only, ids shortened; the full JSON is in the title.
  return Object.entries(details || {})
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 6)
    .map(([k, v]) => `${k}: ${/^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(String(v)) ? shortId(v) : String(v).slice(0, 80)}`)
    .join(' · ');
}

function item(ctx, event) {
  return h('li', {class: 'event', 'data-action': event.action},
    h('p', {}, timeEl(event.createdAt), ' · ', h('strong', {}, actor(ctx, event)), ' ', h('code', {class: 'action'}, event.action), ' ', entity(ctx, event),
      event.runId ? h('span', {class: 'muted'}, ` (run ${shortId(event.runId)})`) : null),
    event.details ? h('p', {class: 'details muted', title: JSON.stringify(event.details)}, detailText(event.details)) : null);
}

export async function render(ctx) {
  const path = `/companies/${encodeURIComponent(ctx.context.company.id)}/activity`;
  const fetchPage = (cursor) => api.page(path, {...filters, limit: PAGE, cursor});
  const first = await fetchPage(null);
  const typeId = uid('type');
  const agentId = uid('agent');
  const typeFilter = h('select', {id: typeId}, ENTITY_TYPES.map((t) => h('option', {value: t, selected: t === filters.entityType}, t || 'All')));
  const agentFilter = h('select', {id: agentId}, h('option', {value: ''}, 'Anyone'),
    ctx.context.agents.map((a) => h('option', {value: a.id, selected: a.id === filters.agentId}, a.name)));
  typeFilter.addEventListener('change', () => { filters.entityType = typeFilter.value; ctx.rerender(); });
  agentFilter.addEventListener('change', () => { filters.agentId = agentFilter.value; ctx.rerender(); });
  const list = h('ol', {class: 'activity'}, first.items.map((e) => item(ctx, e)));
  ctx.show(h('h1', {}, 'Activity'),
    h('div', {class: 'toolbar'}, h('label', {for: typeId}, 'Entity'), typeFilter, h('label', {for: agentId}, 'Agent'), agentFilter),
    first.items.length ? list : h('p', {class: 'muted'}, 'Nothing yet.'),
    loadMore(first.next, fetchPage, (items) => list.append(...items.map((e) => item(ctx, e))), ctx, 'Older activity'));
  return `Activity · ${ctx.context.company.name}`;
}
