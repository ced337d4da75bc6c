// Markdown (documents, comments, descriptions) rendered into DOM nodes, never through innerHTML:
// raw HTML in the source shows as text, links only go to http(s) or mailto addresses, images show as
// links (the page loads nothing from elsewhere). A CommonMark subset that covers what agents write:
// headings, paragraphs, emphasis, code spans and fenced blocks, lists (nested, with task boxes),
// block quotes, tables, rules and links.

import {h} from './dom.js';

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const INLINE = new RegExp([
  /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.source, // 1,2 code span
  /!?\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/.source, // 3,4 link or image
  /<((?:https?:\/\/|mailto:)[^>\s]+)>/.source, // 5 autolink
  /\*\*(?=\S)([\s\S]*?\S)\*\*/.source, // 6 strong
  /(?<![\w])__(?=\S)([\s\S]*?\S)__(?![\w])/.source, // 7 strong
  /~~(?=\S)([\s\S]*?\S)~~/.source, // 8 strikethrough
  /\*(?=[^\s*])([\s\S]*?[^\s*])\*/.source, // 9 emphasis
  /(?<![\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\w])/.source, // 10 emphasis
  /(https?:\/\/[^\s<]*[^\s<.,;:!?)\]'"])/.source, // 11 bare URL
].join('|'), 'g');

function link(href, children) {
  if (!SAFE_URL.test(href)) return children;
  return h('a', {href, rel: 'noopener noreferrer nofollow', target: '_blank'}, children);
}

/** Inline markdown of one block's text: an array of nodes. */
export function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', {}, m[2].replace(/^ (.*) $/, '$1')));
    else if (m[3] !== undefined) out.push(link(m[4], inline(m[3] || m[4])));
    else if (m[5] !== undefined) out.push(link(m[5], m[5]));
    else if (m[6] !== undefined || m[7] !== undefined) out.push(h('strong', {}, inline(m[6] ?? m[7])));
    else if (m[8] !== undefined) out.push(h('del', {}, inline(m[8])));
    else if (m[9] !== undefined || m[10] !== undefined) out.push(h('em', {}, inline(m[9] ?? m[10])));
    else if (m[11] !== undefined) out.push(link(m[11], m[11]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function isBlockStart(line, next) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line)
    || (line.includes('|') && next !== undefined && TABLE_RULE.test(next) && next.includes('-'));
}

function list(lines, start) {
  // Items at the first item's indentation; deeper lines belong to the item before them.
  const first = lines[start].match(ITEM);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const el = h(ordered ? 'ol' : 'ul', ordered && parseInt(first[2], 10) !== 1 ? {start: parseInt(first[2], 10)} : {});
  let i = start;
  while (i < lines.length) {
    const m = lines[i].match(ITEM);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const body = [m[3]];
    i += 1;
    while (i < lines.length && lines[i].trim() !== '' && !(ITEM.test(lines[i]) && lines[i].match(ITEM)[1].length <= indent)) {
      body.push(lines[i].length - lines[i].trimStart().length > indent ? lines[i].slice(Math.min(indent + 2, lines[i].length - lines[i].trimStart().length)) : lines[i]);
      i += 1;
    }
    let text = body.join('\n');
    const task = text.match(/^\[([ xX])\]\s+/);
    const li = h('li', task ? {class: 'task'} : {});
    if (task) {
      li.append(h('span', {'aria-label': task[1] === ' ' ? 'to do' : 'done', role: 'img'}, task[1] === ' ' ? '☐ ' : '☑ '));
      text = text.slice(task[0].length);
    }
    li.append(...blocks(text.split('\n')));
    // A tight list item's lone paragraph reads better unwrapped.
    if (li.children.length === 1 + (task ? 1 : 0) && li.lastElementChild.tagName === 'P') {
      li.lastElementChild.replaceWith(...li.lastElementChild.childNodes);
    }
    el.append(li);
    while (i < lines.length && lines[i].trim() === '' && i + 1 < lines.length && (lines[i + 1].match(ITEM) || [])[1]?.length === indent) i += 1;
  }
  return [el, i];
}

/** Block markdown: an array of nodes. */
function blocks(lines) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (line.trim() === '') {
      i += 1;
    } else if ((m = line.match(FENCE))) {
      const closing = new RegExp(`^\\s{0,3}${m[1][0]}{${m[1].length},}\\s*$`);
      const body = [];
      i += 1;
      while (i < lines.length && !closing.test(lines[i])) body.push(lines[i++]);
      i += 1;
      out.push(h('pre', {}, h('code', m[2] ? {'data-lang': m[2]} : {}, body.join('\n'))));
    } else if ((m = line.match(HEADING))) {
      // Document headings sit under the page's own h1/h2: h1 in markdown is an h3 here.
      out.push(h(`h${Math.min(6, m[1].length + 2)}`, {}, inline(m[2])));
      i += 1;
    } else if (RULE.test(line)) {
      out.push(h('hr'));
      i += 1;
    } else if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) body.push(lines[i++].match(QUOTE)[1]);
      out.push(h('blockquote', {}, blocks(body)));
    } else if (ITEM.test(line)) {
      const [el, next] = list(lines, i);
      out.push(el);
      i = next;
    } else if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const head = splitRow(line);
      i += 2;
      const rows = [];
      while (i < lines.length && lines[i].includes('|') && lines[i].trim() !== '') rows.push(splitRow(lines[i++]));
      out.push(h('div', {class: 'table-wrap'}, h('table', {},
        h('thead', {}, h('tr', {}, head.map((cell) => h('th', {scope: 'col'}, inline(cell))))),
        h('tbody', {}, rows.map((row) => h('tr', {}, head.map((_, c) => h('td', {}, inline(row[c] || '')))))))));
    } else {
      const body = [line];
      i += 1;
      while (i < lines.length && lines[i].trim() !== '' && !isBlockStart(lines[i], lines[i + 1])) body.push(lines[i++]);
      out.push(h('p', {}, inline(body.join('\n'))));
    }
  }
  return out;
}

/** A <div class="markdown"> holding `source` rendered. */
export function renderMarkdown(source) {
  return h('div', {class: 'markdown'}, blocks(String(source ?? '').replace(/\r\n?/g, '\n').split('\n')));
}
