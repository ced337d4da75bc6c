// #/companies/{id}/issues — the issue board: one column per status (the API's order within each:
// critical → low, then most recently updated), each card with identifier, priority, assignee and,
// while an agent's run has it checked out, the checkout holder.

import * as api from './api.js';
import {badge, h, shortId, uid} from './dom.js';
import {fromNow} from './time.js';

export const STATUSES = [
  ['backlog', 'Backlog'], ['todo', 'Todo'], ['in_progress', 'In progress'], ['in_review', 'In review'],
  ['blocked', 'Blocked'], ['done', 'Done'], ['cancelled', 'Cancelled'],
];
const PAGE = 200;
let assigneeFilter = '';

/** "Checked out by Alice (run 1a2b3c4d)" or null. The holder is the assignee's run (SPEC §4). */
export function holder(ctx, issue) {
  if (!issue.checkoutRunId) return null;
  const agent = ctx.context.agentsById.get(issue.assigneeAgentId);
  return h('p', {class: 'holder'}, 'Checked out by ', h('strong', {}, agent ? agent.name : shortId(issue.assigneeAgentId)),
    ' (run ', h('code', {title: issue.checkoutRunId}, shortId(issue.checkoutRunId)), ')');
}

function card(ctx, issue) {
  const agent = issue.assigneeAgentId ? ctx.context.agentsById.get(issue.assigneeAgentId) : null;
  return h('li', {class: 'issue-card', 'data-issue-id': issue.id, 'data-identifier': issue.identifier},
    h('p', {class: 'issue-title'},
      h('a', {href: `#/companies/${ctx.context.company.id}/issues/${issue.identifier}`},
        h('span', {class: 'identifier'}, issue.identifier), ' ', issue.title)),
    h('p', {class: 'meta'}, badge(issue.priority), ' ',
      h('span', {class: 'assignee'}, agent ? agent.name : (issue.assigneeAgentId ? shortId(issue.assigneeAgentId) : 'Unassigned')),
      ' · ', h('span', {class: 'muted'}, `updated ${fromNow(issue.updatedAt)}`)),
    holder(ctx, issue));
}

function column(ctx, [status, label], issues) {
  const headingId = uid('col');
  const mine = issues.filter((i) => i.status === status);
  return h('section', {class: `column column-${status}`, 'aria-labelledby': headingId, 'data-status': status},
    h('h2', {id: headingId}, label, ' ', h('span', {class: 'count'}, `(${mine.length})`)),
    mine.length ? h('ul', {class: 'issue-list'}, mine.map((issue) => card(ctx, issue))) : h('p', {class: 'muted empty'}, 'None'));
}

export async function render(ctx) {
  const cid = ctx.context.company.id;
  const path = `/companies/${encodeURIComponent(cid)}/issues`;
  const issues = [];
  let page = await api.page(path, {assigneeAgentId: assigneeFilter, limit: PAGE});
  issues.push(...page.items);
  const board = h('div', {class: 'board', tabindex: '0', role: 'region', 'aria-label': 'Issue board, one column per status'});
  const draw = () => board.replaceChildren(...STATUSES.map((s) => column(ctx, s, issues)));
  draw();
  const filterId = uid('assignee');
  const filter = h('select', {id: filterId}, h('option', {value: ''}, 'Everyone'),
    ctx.context.agents.map((a) => h('option', {value: a.id, selected: a.id === assigneeFilter}, a.name)));
  filter.addEventListener('change', () => {
    assigneeFilter = filter.value;
    ctx.rerender();
  });
  const more = h('p', {class: 'load-more'});
  const drawMore = () => {
    more.replaceChildren();
    if (!page.next) return;
    const button = h('button', {type: 'button', class: 'btn'}, 'Load more issues');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        page = await api.page(path, {assigneeAgentId: assigneeFilter, limit: PAGE, cursor: page.next});
        issues.push(...page.items);
        draw();
        drawMore();
        ctx.announce(`${page.items.length} more issues loaded`);
      } catch (error) {
        ctx.showError(error);
        button.disabled = false;
      }
    });
    more.append(button);
  };
  drawMore();
  ctx.show(h('h1', {}, 'Issues'),
    h('div', {class: 'toolbar'}, h('label', {for: filterId}, 'Assignee'), filter,
      h('span', {class: 'muted'}, `${issues.length} issue${issues.length === 1 ? '' : 's'} shown`)),
    board, more);
  return `Issues · ${ctx.context.company.name}`;
}
