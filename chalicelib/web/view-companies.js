// #/ — the companies the caller can see (GET /api/companies), each with its views.

import * as api from './api.js';
import {h, badge} from './dom.js';
import {loadMore} from './paging.js';

function companyCard(company) {
  const base = `#/companies/${encodeURIComponent(company.id)}`;
  return h('li', {class: 'card'},
    h('h2', {}, h('a', {href: `${base}/routines`}, company.name)),
    h('p', {class: 'meta'}, badge(company.status), ' ', h('span', {}, `Issue prefix ${company.issuePrefix}`)),
    company.description ? h('p', {}, company.description) : null,
    h('nav', {'aria-label': `${company.name} views`}, h('ul', {class: 'inline-links'},
      h('li', {}, h('a', {href: `${base}/routines`}, 'Routines')),
      h('li', {}, h('a', {href: `${base}/issues`}, 'Issues')),
      h('li', {}, h('a', {href: `${base}/agents`}, 'Agents')),
      h('li', {}, h('a', {href: `${base}/activity`}, 'Activity')))));
}

export async function render(ctx) {
  const first = await api.page('/companies', {limit: 50});
  const list = h('ul', {class: 'cards', 'aria-label': 'Companies'}, first.items.map(companyCard));
  ctx.show(h('h1', {}, 'Companies'));
  if (!first.items.length) {
    ctx.show(h('p', {}, 'No companies yet. Create one through the API: ',
      h('code', {}, `curl -X POST ${location.origin}${api.API_ROOT}/companies -H 'Content-Type: application/json' -d '{"name":"Acme Corp"}'`)));
    return 'Companies';
  }
  ctx.show(list, loadMore(first.next, (cursor) => api.page('/companies', {limit: 50, cursor}),
    (items) => list.append(...items.map(companyCard)), ctx));
  return 'Companies';
}
