// Pages by path: every view is a URL under /console/, so any of them can be pasted.

const BASE = '/console';
let routes = [];
let current = null;
let root = null;

/** Route `/console/...` paths to pages; a page is `(root, params, query) => unmount`. */
export function start(element, table) {
  root = element;
  routes = table;
  window.addEventListener('popstate', render);
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="/console"]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(link.getAttribute('href'));
  });
  render();
}

/** Open the page of `url`; `replace` keeps the history entry (a filter changed). */
export function go(url, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

/** Change the current URL's query without opening the page again. */
export function setQuery(values) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  history.replaceState(null, '', url.pathname + url.search);
}

/** An id as a path segment: escaped where it must be, but `order:o-7` stays as it is. */
export function segment(text) {
  return encodeURIComponent(text).replace(/%3A/gi, ':');
}

/** A console URL: a path under /console/ and a query. */
export function href(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  return BASE + path + (params.size ? `?${params}` : '');
}

function render() {
  if (current) current();
  current = null;
  const path = location.pathname.slice(BASE.length) || '/';
  const query = new URLSearchParams(location.search);
  for (const [pattern, page, section] of routes) {
    const match = pattern.exec(path);
    if (match) {
      document.querySelectorAll('nav a').forEach((a) => {
        a.toggleAttribute('aria-current', a.dataset.section === section);
      });
      root.replaceChildren();
      const params = match.slice(1).map((part) => decodeURIComponent(part));
      current = page(root, params, query) || null;
      return;
    }
  }
  root.replaceChildren();
  root.append(document.createTextNode('No such page.'));
}
