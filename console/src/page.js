// What every page shares: its heading, the error line, and status badges.

import { h, replace } from './dom.js';

/** A page's frame: a heading, an error line (hidden until there is one), the body. */
export function frame(root, title) {
  const error = h('p', { class: 'error', 'data-testid': 'error', role: 'alert', hidden: true });
  const heading = h('h1', {}, title);
  const body = h('div', { class: 'page-body' });
  root.append(heading, error, body);
  document.title = `${title} · segue`;
  let sticky = false;
  const clear = () => {
    error.hidden = true;
    sticky = false;
    replace(error);
  };
  return {
    heading,
    body,
    /**
     * Show what went wrong (an ApiError or any error); `null` clears it. An error of an
     * operator's action stays until dismissed; one of loading goes once a load works.
     */
    fail(problem, { action = false } = {}) {
      if (!problem) {
        if (!sticky) clear();
        return;
      }
      sticky = sticky || action;
      replace(error, problem.words || String(problem.message || problem), ' ',
        h('button', { type: 'button', class: 'small', 'aria-label': 'dismiss', onclick: clear }, '×'));
      error.hidden = false;
    },
  };
}

/** A status badge: its word, with a mark and colour beside it. */
export function badge(status, attributes = {}) {
  return h('span', { class: `badge badge-${String(status).toLowerCase()}`, ...attributes }, status);
}
