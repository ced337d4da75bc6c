// #/companies/{id}/agents — the company's agents (GET /api/companies/{id}/agents); each links to its
// heartbeat runs.

import {badge, h, labelCells} from './dom.js';

const COLUMNS = ['Name', 'Role', 'Title', 'Status', 'Reports to'];

export async function render(ctx) {
  const {company, agents, agentsById} = await ctx.refreshCompany();
  const cid = company.id;
  const row = (agent) => labelCells(h('tr', {'data-agent-id': agent.id},
    h('th', {scope: 'row'}, h('a', {href: `#/companies/${cid}/agents/${agent.id}`}, agent.name)),
    h('td', {}, agent.role || ''),
    h('td', {}, agent.title || ''),
    h('td', {}, badge(agent.status)),
    h('td', {}, agent.reportsTo ? (agentsById.get(agent.reportsTo) || {name: agent.reportsTo}).name : '')), COLUMNS);
  ctx.show(h('h1', {}, 'Agents'),
    agents.length
      ? h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Agents table'},
        h('table', {class: 'agents stack'},
          h('caption', {}, `${agents.length} agent${agents.length === 1 ? '' : 's'}; open one for its heartbeat runs`),
          h('thead', {}, h('tr', {}, COLUMNS.map((l) => h('th', {scope: 'col'}, l)))),
          h('tbody', {}, agents.map(row))))
      : h('p', {class: 'muted'}, 'No agents yet.'));
  return `Agents · ${company.name}`;
}
