// The page's only way to data: the public /api routes, with the signed-in board token in the
// Authorization header (never in a URL). The token lives in sessionStorage: gone when the tab closes.

const PREFIX = document.documentElement.dataset.prefix || '';
const TOKEN_KEY = 'paperclip.boardToken';
const unauthorizedListeners = [];

export const API_ROOT = `${PREFIX}/api`;

export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.error || body.message)) || `HTTP ${status}`;
    super(message);
    this.status = status;
    this.details = body && body.details;
  }

  /** "Validation failed: cronExpression: …" — the API's error with its details, for people. */
  describe() {
    if (!this.details || typeof this.details !== 'object') return this.message;
    const parts = Object.entries(this.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return parts.length ? `${this.message} (${parts.join('; ')})` : this.message;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Called with the ApiError whenever a call answers 401 (the sign-in form takes over). */
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_ROOT}${path}${qs ? `?${qs}` : ''}`;
}

function headers(extra) {
  const result = {...extra};
  const current = token();
  if (current) result.Authorization = `Bearer ${current}`;
  return result;
}

async function send(method, path, {body, query, accept = 'application/json'} = {}) {
  const extra = {Accept: accept};
  if (body !== undefined) extra['Content-Type'] = 'application/json';
  const init = {method, headers: headers(extra),
                credentials: 'omit', cache: 'no-store'};
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url(path, query), init);
  if (response.ok) return response;
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (_) { /* not JSON: the status says enough */ }
  const error = new ApiError(response.status, parsed);
  if (response.status === 401) unauthorizedListeners.forEach((listener) => listener(error));
  throw error;
}

/** One call: the parsed JSON body (null for 204). Errors: ApiError with status, message and details. */
export async function call(method, path, options = {}) {
  const response = await send(method, path, options);
  return response.status === 204 ? null : response.json();
}

export const get = (path, query) => call('GET', path, {query});
export const post = (path, body = {}) => call('POST', path, {body});
export const patch = (path, body) => call('PATCH', path, {body});

/** One page of a list: {items, next} where `next` is the X-Next-Cursor to pass back (or null). */
export async function page(path, query = {}) {
  const response = await send('GET', path, {query});
  return {items: await response.json(), next: response.headers.get('X-Next-Cursor')};
}

/** Every page of a list, up to `cap` items (lookups such as the company's agents). */
export async function all(path, query = {}, cap = 1000) {
  const items = [];
  let cursor = null;
  do {
    const result = await page(path, {...query, limit: 200, cursor});
    items.push(...result.items);
    cursor = result.next;
  } while (cursor && items.length < cap);
  return items;
}

/** Bytes of a file the API serves (attachments), fetched with the token: a Blob. */
export async function blob(path) {
  const response = await send('GET', path, {accept: '*/*'});
  return response.blob();
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in the items' order. */
export async function mapLimited(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index], index);
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  return results;
}
