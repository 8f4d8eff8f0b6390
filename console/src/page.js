// What every page shares: its heading, the error line, and status badges.

import { h, replace } from './dom.js';

/** A page's frame: a heading, an error line (hidden until there is one), the body. */
export function frame(root, title) {
  const error = h('p', { class: 'error', 'data-testid': 'error', role: 'alert', hidden: true });
  const heading = h('h1', {}, title);
  const body = h('div', { class: 'page-body' });
  root.append(heading, error, body);
  document.title = `${title} · segue`;
  return {
    heading,
    body,
    /** Show what went wrong (an ApiError or any error); `null` clears it. */
    fail(problem) {
      if (!problem) {
        error.hidden = true;
        replace(error);
        return;
      }
      replace(error, problem.words || String(problem.message || problem));
      error.hidden = false;
    },
  };
}

/** A status badge: its word, with a mark and colour beside it. */
export function badge(status, attributes = {}) {
  return h('span', { class: `badge badge-${String(status).toLowerCase()}`, ...attributes }, status);
}
