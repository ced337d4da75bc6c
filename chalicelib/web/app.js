// The board page: hash routes (#/companies/{id}/routines, …), the header's navigation and session,
// and the frame every view renders into. Views are modules loaded when first visited.

import * as api from './api.js';
import {append, clear, h} from './dom.js';

const ROUTES = [
  {pattern: /^\/?$/, view: 'view-companies.js'},
  {pattern: /^\/sign-in$/, view: 'signin.js', open: true},
  {pattern: /^\/companies\/([^/]+)\/?$/, redirect: (cid) => `#/companies/${cid}/routines`},
  {pattern: /^\/companies\/([^/]+)\/routines$/, view: 'view-routines.js', tab: 'routines'},
  {pattern: /^\/companies\/([^/]+)\/routines\/([^/]+)$/, view: 'view-routine.js', tab: 'routines'},
  {pattern: /^\/companies\/([^/]+)\/issues$/, view: 'view-issues.js', tab: 'issues'},
  {pattern: /^\/companies\/([^/]+)\/issues\/([^/]+)$/, view: 'view-issue.js', tab: 'issues'},
  {pattern: /^\/companies\/([^/]+)\/agents$/, view: 'view-agents.js', tab: 'agents'},
  {pattern: /^\/companies\/([^/]+)\/agents\/([^/]+)$/, view: 'view-agent.js', tab: 'agents'},
  {pattern: /^\/companies\/([^/]+)\/activity$/, view: 'view-activity.js', tab: 'activity'},
];
const TABS = [['routines', 'Routines'], ['issues', 'Issues'], ['agents', 'Agents'], ['activity', 'Activity']];
const COMPANY_CACHE_MS = 30000;

const state = {authMode: null, me: null, renderCount: 0, firstRender: true, companies: new Map()};
const main = document.getElementById('main');
const alertArea = document.getElementById('alert');
const announcer = document.getElementById('announcer');

/** A company with lookups its views share: agents and projects by id. Cached for half a minute. */
function companyContext(cid, fresh = false) {
  const cached = state.companies.get(cid);
  if (cached && !fresh && Date.now() - cached.at < COMPANY_CACHE_MS) return cached.promise;
  const promise = Promise.all([
    api.get(`/companies/${encodeURIComponent(cid)}`),
    api.all(`/companies/${encodeURIComponent(cid)}/agents`),
    api.all(`/companies/${encodeURIComponent(cid)}/projects`),
  ]).then(([company, agents, projects]) => ({
    company, agents, projects,
    agentsById: new Map(agents.map((a) => [a.id, a])),
    projectsById: new Map(projects.map((p) => [p.id, p])),
  }));
  promise.catch(() => state.companies.delete(cid));
  state.companies.set(cid, {at: Date.now(), promise});
  return promise;
}

export function announce(text) {
  announcer.textContent = '';
  // A fresh text node after clearing: screen readers announce a change, not a repeat.
  setTimeout(() => { announcer.textContent = text; }, 50);
}

export function showError(error) {
  const text = error instanceof api.ApiError ? error.describe() : String(error && error.message || error);
  clear(alertArea).append(h('div', {class: 'alert'},
    h('p', {}, text),
    h('button', {type: 'button', class: 'btn btn-small', onclick: () => clear(alertArea)}, 'Dismiss')));
}

function renderNav(route, cid, company) {
  const nav = clear(document.getElementById('company-nav'));
  if (!cid) return;
  nav.append(h('span', {class: 'nav-company'}, company ? company.name : ''),
    h('ul', {}, TABS.map(([tab, label]) => h('li', {},
      h('a', {href: `#/companies/${cid}/${tab}`, 'aria-current': route.tab === tab ? 'page' : null}, label)))));
}

function renderSession() {
  const box = clear(document.getElementById('session'));
  if (api.token()) {
    const who = state.me ? `Signed in as ${state.me.name}` : 'Signed in';
    box.append(h('span', {class: 'muted'}, who), ' ',
      h('button', {type: 'button', class: 'btn btn-small', onclick: () => {
        api.signOut();
        state.me = null;
        state.companies.clear();
        location.hash = '#/sign-in';
        renderSession();
      }}, 'Sign out'));
  } else if (state.authMode === 'local_trusted') {
    box.append(h('span', {class: 'muted'}, 'Local board (no sign-in)'), ' ',
      h('a', {href: '#/sign-in', class: 'btn btn-small'}, 'Use a token'));
  }
}

function match(hash) {
  const path = decodeURI(hash.replace(/^#/, '').split('?')[0]);
  for (const route of ROUTES) {
    const m = path.match(route.pattern);
    if (m) return {route, params: m.slice(1).map(decodeURIComponent)};
  }
  return null;
}

async function render() {
  const count = ++state.renderCount;
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // in-page anchors (the skip link) are not routes
  const found = match(hash);
  clear(alertArea);
  if (!found) {
    clear(main).append(h('h1', {tabindex: '-1'}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the companies')));
    return;
  }
  const {route, params} = found;
  if (route.redirect) {
    location.replace(route.redirect(...params));
    return;
  }
  if (!route.open && state.authMode === 'authenticated' && !api.token()) {
    sessionStorage.setItem('paperclip.afterSignIn', hash);
    location.replace('#/sign-in');
    return;
  }
  main.setAttribute('aria-busy', 'true');
  const cid = route.tab ? params[0] : null;
  const frame = h('div', {class: 'view'});
  try {
    const module = await import(`./${route.view}`);
    const context = cid ? await companyContext(cid) : null;
    if (count !== state.renderCount) return; // a newer navigation won
    renderNav(route, cid, context && context.company);
    const ctx = {
      params, context, frame, announce, showError,
      show: (...nodes) => append(frame, nodes),
      refreshCompany: () => companyContext(cid, true),
      rerender: () => render(),
      authMode: state.authMode,
      afterSignIn: afterSignIn,
      isCurrent: () => count === state.renderCount,
    };
    const title = await module.render(ctx);
    if (count !== state.renderCount) return;
    clear(main).append(frame);
    document.title = title ? `${title} · Paperclip board` : 'Paperclip board';
  } catch (error) {
    if (count !== state.renderCount) return;
    clear(main).append(h('h1', {tabindex: '-1'}, 'Could not load this page'));
    if (!(error instanceof api.ApiError && error.status === 401)) showError(error);
  } finally {
    if (count === state.renderCount) main.removeAttribute('aria-busy');
  }
  // Move focus to the new page's heading so keyboard and screen-reader users start there (not on
  // the first load: the browser's own start is right then).
  const heading = main.querySelector('h1');
  if (heading && !state.firstRender) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  state.firstRender = false;
}

async function afterSignIn() {
  state.companies.clear();
  state.me = await api.get('/board-users/me');
  renderSession();
  const next = sessionStorage.getItem('paperclip.afterSignIn') || '#/';
  sessionStorage.removeItem('paperclip.afterSignIn');
  location.replace(next === '#/sign-in' ? '#/' : next);
}

async function start() {
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  api.onUnauthorized(() => {
    if (location.hash === '#/sign-in') return;
    api.signOut();
    state.me = null;
    renderSession();
    sessionStorage.setItem('paperclip.afterSignIn', location.hash || '#/');
    sessionStorage.setItem('paperclip.signInReason', 'Your session needs a valid board token.');
    location.replace('#/sign-in');
  });
  try {
    state.authMode = (await api.get('/health')).authMode;
  } catch (error) {
    state.authMode = 'authenticated';
  }
  if (api.token()) {
    try {
      state.me = await api.get('/board-users/me');
    } catch (_) { /* a 401 has already sent us to the sign-in form */ }
  }
  renderSession();
  window.addEventListener('hashchange', render);
  await render();
}

start();
