// #/companies/{id}/routines — the company's routines (GET /api/companies/{id}/routines, newest
// update first), each a card with its triggers and next fire times.

import * as api from './api.js';
import {h, uid} from './dom.js';
import {loadMore} from './paging.js';
import {routineCard} from './routine-card.js';

const STATUSES = [['', 'All'], ['active', 'Active'], ['paused', 'Paused'], ['archived', 'Archived']];
let statusFilter = '';

function item(routine, ctx) {
  const secretSlot = h('div', {class: 'secret-slot'});
  return h('li', {class: 'routine-item'}, secretSlot, routineCard(routine, ctx, {heading: 2, secretSlot}));
}

export async function render(ctx) {
  const cid = ctx.context.company.id;
  const path = `/companies/${encodeURIComponent(cid)}/routines`;
  const fetchPage = (cursor) => api.page(path, {status: statusFilter, limit: 25, cursor});
  const first = await fetchPage(null);
  const filterId = uid('status');
  const filter = h('select', {id: filterId}, STATUSES.map(([value, label]) =>
    h('option', {value, selected: value === statusFilter}, label)));
  filter.addEventListener('change', () => {
    statusFilter = filter.value;
    ctx.rerender();
  });
  const list = h('ul', {class: 'routine-list', 'aria-label': 'Routines'}, first.items.map((r) => item(r, ctx)));
  ctx.show(
    h('h1', {}, 'Routines'),
    h('p', {class: 'lede'}, `${ctx.context.company.name}: what runs when. Fire times are computed by the service `
      + 'from each trigger\u2019s cron and time zone (DST included) and shown in that zone and in yours.'),
    h('div', {class: 'toolbar'}, h('label', {for: filterId}, 'Status'), filter),
    first.items.length ? list : h('p', {class: 'muted'}, 'No routines here yet.'),
    loadMore(first.next, fetchPage, (items) => list.append(...items.map((r) => item(r, ctx))), ctx));
  return `Routines · ${ctx.context.company.name}`;
}
