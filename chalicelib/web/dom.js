// Building the page's DOM without innerHTML: every string from the API becomes a text node, so
// nothing an agent writes (titles, comments, documents) can run as markup.

/**
 * h('a', {href: '#/x', class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', child, [more])
 * Props: `class`, `text`, `on<event>` (a function: addEventListener), booleans (set when true),
 * everything else an attribute. Children: strings, numbers, nodes, arrays; null/undefined/false skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'el') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** The first 8 characters of a UUID: how ids are shown (the full id is in the title). */
export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}

/**
 * A table row whose cells carry their column's name (`data-label`): at phone width a `table.stack`
 * shows each row as a small card, every cell under its name (style.css), instead of a table wider
 * than the screen. Returns the row.
 */
export function labelCells(tr, labels) {
  [...tr.children].forEach((cell, i) => { if (labels[i]) cell.setAttribute('data-label', labels[i]); });
  return tr;
}

/** A status or priority chip; `kind` picks its colour class (all pass WCAG AA on their background). */
export function badge(text, kind) {
  return h('span', {class: `badge badge-${kind || String(text).replace(/[^a-z_]/gi, '')}`}, String(text).replace(/_/g, ' '));
}

/** A definition list from [label, value] pairs; pairs with a null value are left out. */
export function facts(pairs, cls = 'facts') {
  const dl = h('dl', {class: cls});
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    append(dl, [h('div', {}, h('dt', {}, label), h('dd', {}, value))]);
  }
  return dl;
}

/** A button that runs `action` once at a time: disabled (aria-busy) while it runs. */
export function actionButton(label, action, props = {}) {
  const button = h('button', {type: 'button', class: 'btn', ...props}, label);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await action(button);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/** "1.2 KB" */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
