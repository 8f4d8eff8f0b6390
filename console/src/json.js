// JSON shown as a collapsible tree whose text is the JSON itself, and a checked editor.

import { h } from './dom.js';

/** A collapsible tree of `value`; its textContent parses back to `value`. */
export function tree(value, attributes = {}, depth = 0) {
  return h('div', { class: 'json', ...attributes }, node(value, depth));
}

// `key` and `comma` belong to the line a value starts and ends on, so that a folded
// object reads `"key": {… 3},` and an open one starts on its key's line.
function node(value, depth, key = null, comma = false) {
  const prefix = key === null ? null : h('span', { class: 'json-key' }, JSON.stringify(key), ': ');
  const suffix = comma ? ',' : null;
  if (value === null || typeof value !== 'object') {
    const kind = value === null ? 'null' : typeof value;
    return h('div', { class: 'json-row' }, prefix, h('span', { class: `json-${kind}` },
      JSON.stringify(value)), suffix);
  }
  const array = Array.isArray(value);
  const entries = array ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = array ? ['[', ']'] : ['{', '}'];
  if (!entries.length) {
    return h('div', { class: 'json-row' }, prefix, h('span', { class: 'json-empty' }, open + close), suffix);
  }
  const rows = entries.map(([childKey, child], index) =>
    node(child, depth + 1, array ? null : childKey, index < entries.length - 1));
  const folded = { 'data-size': entries.length, 'data-close': close + (suffix || '') };
  return h('details', { class: 'json-fold', open: depth < 2 },
    h('summary', folded, prefix, open), h('div', { class: 'json-rows' }, rows), h('span', {}, close, suffix));
}

/** A JSON editor: a text area and a line saying whether (and where) its text is wrong. */
export function editor(initial, { label = 'JSON', object = false } = {}) {
  const area = h('textarea', {
    'data-testid': 'json-input', spellcheck: 'false', rows: 8, 'aria-label': label,
    value: JSON.stringify(initial, null, 2),
  });
  const problem = h('p', { class: 'json-problem', role: 'status', 'aria-live': 'polite' });
  const read = () => {
    let value;
    try {
      value = JSON.parse(area.value);
    } catch (error) {
      return { problem: `not JSON: ${error.message}` };
    }
    if (object && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      return { problem: 'must be a JSON object' };
    }
    return { value };
  };
  const check = () => {
    const found = read();
    problem.textContent = found.problem || '';
    area.setAttribute('aria-invalid', found.problem ? 'true' : 'false');
    return found;
  };
  area.addEventListener('input', check);
  return { element: h('label', { class: 'field' }, label, area, problem), read: check };
}

/** A button that copies `value` as JSON. */
export function copyButton(value, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'small' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(JSON.stringify(value, null, 2));
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  });
  return button;
}
