// #/companies/{id}/issues/{idOrIdentifier} — one issue (GET /api/issues/{id}): its facts and checkout
// holder, description, documents (markdown rendered, revisions on demand), comments and attachments.

import * as api from './api.js';
import {actionButton, badge, bytes, facts, h, shortId, uid} from './dom.js';
import {renderMarkdown} from './markdown.js';
import {loadMore} from './paging.js';
import {timeEl} from './time.js';
import {holder} from './view-issues.js';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function agentName(ctx, id) {
  const agent = id ? ctx.context.agentsById.get(id) : null;
  return agent ? agent.name : (id ? `agent ${shortId(id)}` : null);
}

function agentLink(ctx, id) {
  if (!id) return h('span', {class: 'muted'}, 'Unassigned');
  return h('a', {href: `#/companies/${ctx.context.company.id}/agents/${id}`}, agentName(ctx, id));
}

function issueRef(ctx, issue) {
  return h('a', {href: `#/companies/${ctx.context.company.id}/issues/${issue.id}`}, issue.identifier || shortId(issue.id));
}

function revisions(ctx, issue, doc) {
  const details = h('details', {class: 'revisions'}, h('summary', {}, `Revisions (${doc.latestRevisionNumber})`));
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const list = h('ul', {class: 'revision-list'}, h('li', {class: 'muted'}, 'Loading…'));
    details.append(list);
    try {
      const first = await api.page(`/issues/${issue.id}/documents/${encodeURIComponent(doc.key)}/revisions`, {limit: 50});
      const item = (rev) => h('li', {'data-revision': rev.revisionNumber},
        h('p', {}, h('strong', {}, `Revision ${rev.revisionNumber}`), ' · ', timeEl(rev.createdAt), ' · ',
          rev.createdByAgentId ? agentName(ctx, rev.createdByAgentId) : 'board',
          rev.changeSummary ? [' — ', rev.changeSummary] : null),
        h('details', {}, h('summary', {}, `Show revision ${rev.revisionNumber}`), renderMarkdown(rev.body)));
      list.replaceChildren(...first.items.map(item));
      const more = loadMore(first.next, (cursor) => api.page(`/issues/${issue.id}/documents/${encodeURIComponent(doc.key)}/revisions`, {limit: 50, cursor}),
        (items) => list.append(...items.map(item)), ctx, 'Older revisions');
      if (more) details.append(more);
    } catch (error) {
      list.replaceChildren(h('li', {}, `Could not load revisions: ${error.message}`));
    }
  });
  return details;
}

async function documentsSection(ctx, issue) {
  const summaries = issue.documentSummaries || [];
  const section = h('section', {class: 'documents', 'aria-labelledby': 'documents-heading'},
    h('h2', {id: 'documents-heading'}, `Documents (${summaries.length})`));
  if (!summaries.length) {
    section.append(h('p', {class: 'muted'}, issue.legacyPlanDocument ? 'No documents; the description holds a <plan> block.' : 'No documents.'));
    return section;
  }
  const docs = await api.mapLimited(summaries, 3, (summary) =>
    api.get(`/issues/${issue.id}/documents/${encodeURIComponent(summary.key)}`).catch(() => ({...summary, body: null})));
  for (const doc of docs) {
    const headingId = uid('doc');
    section.append(h('article', {class: 'document card', 'aria-labelledby': headingId, 'data-key': doc.key},
      h('h3', {id: headingId}, doc.title || doc.key, ' ', h('code', {class: 'doc-key'}, doc.key)),
      h('p', {class: 'meta'}, `Revision ${doc.latestRevisionNumber} · updated `, timeEl(doc.updatedAt)),
      doc.body === null ? h('p', {class: 'muted'}, 'Could not load this document.') : renderMarkdown(doc.body),
      revisions(ctx, issue, doc)));
  }
  return section;
}

function commentItem(ctx, comment) {
  const author = comment.authorType === 'agent' ? agentName(ctx, comment.authorAgentId) : 'Board';
  return h('li', {class: 'comment', 'data-comment-id': comment.id},
    h('p', {class: 'meta'}, h('strong', {}, author), ' · ', timeEl(comment.createdAt)),
    renderMarkdown(comment.body));
}

async function commentsSection(ctx, issue) {
  const path = `/issues/${issue.id}/comments`;
  const first = await api.page(path, {limit: 100, order: 'asc'});
  const list = h('ol', {class: 'comments'}, first.items.map((c) => commentItem(ctx, c)));
  return h('section', {class: 'comments-section', 'aria-labelledby': 'comments-heading'},
    h('h2', {id: 'comments-heading'}, 'Comments'),
    first.items.length ? list : h('p', {class: 'muted'}, 'No comments.'),
    loadMore(first.next, (cursor) => api.page(path, {limit: 100, order: 'asc', cursor}), (items) => list.append(...items.map((c) => commentItem(ctx, c))), ctx, 'Later comments'));
}

function openAttachment(ctx, attachment, preview) {
  return actionButton(IMAGE_TYPES.has(attachment.contentType) ? 'Show' : 'Download', async () => {
    try {
      const data = await api.blob(`/attachments/${attachment.id}/content`);
      if (IMAGE_TYPES.has(attachment.contentType)) {
        const url = URL.createObjectURL(new Blob([data], {type: attachment.contentType}));
        preview.replaceChildren(h('img', {src: url, alt: attachment.originalFilename || 'attachment'}));
        return;
      }
      // Anything else is saved, never opened in this page's origin (an octet-stream blob).
      const url = URL.createObjectURL(new Blob([data], {type: 'application/octet-stream'}));
      const a = h('a', {href: url, download: attachment.originalFilename || `attachment-${attachment.id}`});
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      ctx.showError(error);
    }
  }, {'aria-label': `${IMAGE_TYPES.has(attachment.contentType) ? 'Show' : 'Download'} ${attachment.originalFilename || 'attachment'}`});
}

async function attachmentsSection(ctx, issue) {
  const first = await api.page(`/issues/${issue.id}/attachments`, {limit: 100});
  const section = h('section', {class: 'attachments', 'aria-labelledby': 'attachments-heading'},
    h('h2', {id: 'attachments-heading'}, `Attachments (${first.items.length}${first.next ? '+' : ''})`));
  if (!first.items.length) {
    section.append(h('p', {class: 'muted'}, 'No attachments.'));
    return section;
  }
  section.append(h('ul', {class: 'attachment-list'}, first.items.map((a) => {
    const preview = h('div', {class: 'preview'});
    return h('li', {'data-attachment-id': a.id},
      h('p', {}, h('strong', {}, a.originalFilename || shortId(a.id)), ' ',
        h('span', {class: 'muted'}, `${a.contentType}, ${bytes(a.byteSize)}, sha256 ${a.sha256.slice(0, 12)}…, `), timeEl(a.createdAt), ' ',
        openAttachment(ctx, a, preview)),
      preview);
  })));
  return section;
}

export async function render(ctx) {
  const key = ctx.params[1];
  const issue = await api.get(`/issues/${encodeURIComponent(key)}`);
  const cid = ctx.context.company.id;
  const [documents, comments, attachments] = await Promise.all([
    documentsSection(ctx, issue), commentsSection(ctx, issue), attachmentsSection(ctx, issue)]);
  const origin = issue.originKind === 'routine_execution' && issue.originId
    ? h('a', {href: `#/companies/${cid}/routines/${issue.originId}`}, `routine run ${shortId(issue.originRunId)}`)
    : (issue.originKind ? h('code', {}, issue.originKind) : null);
  const ancestors = (issue.ancestors || []).slice().reverse();
  ctx.show(
    h('p', {class: 'breadcrumb'}, h('a', {href: `#/companies/${cid}/issues`}, 'Issues'), ' / ',
      ancestors.map((a) => [issueRef(ctx, a), ' / '])),
    h('h1', {}, h('span', {class: 'identifier'}, issue.identifier), ' ', issue.title),
    h('p', {class: 'meta'}, badge(issue.status), ' ', badge(issue.priority)),
    holder(ctx, issue),
    facts([
      ['Assignee', agentLink(ctx, issue.assigneeAgentId)],
      ['Checkout run', issue.checkoutRunId ? h('code', {title: issue.checkoutRunId}, shortId(issue.checkoutRunId)) : null],
      ['Project', issue.project ? issue.project.name : null],
      ['Goal', issue.goal ? issue.goal.title : null],
      ['Origin', origin],
      ['Created', timeEl(issue.createdAt)],
      ['Updated', timeEl(issue.updatedAt)],
      ['Started', issue.startedAt ? timeEl(issue.startedAt) : null],
      ['Completed', issue.completedAt ? timeEl(issue.completedAt) : null],
      ['Cancelled', issue.cancelledAt ? timeEl(issue.cancelledAt) : null],
    ]),
    h('section', {class: 'description', 'aria-labelledby': 'description-heading'},
      h('h2', {id: 'description-heading'}, 'Description'),
      issue.description ? renderMarkdown(issue.description) : h('p', {class: 'muted'}, 'No description.')),
    documents, comments, attachments);
  return `${issue.identifier} · Issues`;
}
