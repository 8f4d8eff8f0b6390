// The executions: newest first, filtered by status and state machine, searched by name,
// paged with the API's nextToken, counted by status, refreshed while open.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { duration, STATUSES, TERMINAL, when } from '../format.js';
import { poll } from '../live.js';
import { badge, frame } from '../page.js';
import { href, segment, setQuery } from '../router.js';

const PAGE = 25;
const REFRESH_MS = 3000;

export function executionsPage(root, _params, query) {
  const page = frame(root, 'Executions');
  const filter = {
    status: query.get('status') || '',
    stateMachine: query.get('stateMachine') || '',
    q: query.get('q') || '',
  };
  const tokens = [null]; // the nextToken of each page seen, to go back
  let machines = [];

  const counts = h('nav', { class: 'counts', 'aria-label': 'executions by status' });
  const status = h('select', { 'data-testid': 'filter-status', 'aria-label': 'status' },
    h('option', { value: '' }, 'any status'),
    STATUSES.map((s) => h('option', { value: s }, s)));
  status.value = filter.status;
  const machine = h('select', { 'data-testid': 'filter-state-machine', 'aria-label': 'state machine' },
    h('option', { value: '' }, 'any state machine'));
  const search = h('input', {
    type: 'search', placeholder: 'name contains…', 'data-testid': 'search', 'aria-label': 'search by name',
    value: filter.q, maxlength: 80,
  });
  const rows = h('tbody');
  const previous = h('button', { type: 'button', disabled: true }, '← Newer');
  const next = h('button', { type: 'button', disabled: true, 'data-testid': 'next-page' }, 'Older →');
  const table = h('table', { class: 'executions' },
    h('thead', {}, h('tr', {}, ['Name', 'State machine', 'Status', 'Started', 'Duration', 'Current']
      .map((title) => h('th', { scope: 'col' }, title)))),
    rows);
  page.body.append(counts,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); apply(); } },
      status, machine, search, h('button', { type: 'submit' }, 'Filter')),
    table, h('div', { class: 'pager' }, previous, next));

  let shown = 0;
  let refreshes = 0;
  // the rows first, then the counts (they read the whole index): the rows never wait
  async function load(withCounts = true) {
    const answer = await api.executions({
      status: filter.status, stateMachine: filter.stateMachine, q: filter.q, limit: PAGE,
      nextToken: tokens[shown], detail: 'true',
    });
    page.fail(null);
    replace(rows, answer.items.length ? answer.items.map(row)
      : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No executions.')));
    tokens.length = shown + 1;
    if (answer.nextToken) tokens.push(answer.nextToken);
    next.disabled = !answer.nextToken;
    previous.disabled = shown === 0;
    if (withCounts) await count();
  }
  async function count() {
    const counted = await api.executions({ stateMachine: filter.stateMachine, limit: 1, counts: 'true' });
    showCounts(counted.counts, counted.countsCapped);
  }
  const guarded = (withCounts) => load(withCounts).catch((error) => page.fail(error));

  function showCounts(found, capped) {
    replace(counts, STATUSES.map((s) => h('a', {
      href: href('/', { ...filter, status: s === filter.status ? '' : s }),
      class: `count${s === filter.status ? ' chosen' : ''}`, 'data-testid': 'count', 'data-status': s,
    }, badge(s), ' ', `${found[s]}${capped ? '+' : ''}`)));
  }

  function apply() {
    filter.status = status.value;
    filter.stateMachine = machine.value;
    filter.q = search.value.trim();
    setQuery(filter);
    shown = 0;
    tokens.length = 1;
    guarded(true);
  }
  status.addEventListener('change', apply);
  machine.addEventListener('change', apply);
  next.addEventListener('click', () => { shown += 1; guarded(false); });
  previous.addEventListener('click', () => { shown = Math.max(0, shown - 1); guarded(false); });

  // the rows first: the local API answers one call at a time
  guarded(false).then(() => api.stateMachines()).then((answer) => {
    machines = answer.items.map((item) => item.name).sort();
    machine.append(...machines.map((name) => h('option', { value: name }, name)));
    machine.value = filter.stateMachine;
    return count();
  }).catch((error) => page.fail(error));
  // counts cost more than a page (they read the whole index): every tenth refresh
  return poll(() => load((refreshes += 1) % 10 === 0), REFRESH_MS);
}

function row(item) {
  const current = (item.currentStates || []).map((c) => `${c.name} (${c.status.toLowerCase()})`);
  const end = TERMINAL.has(item.status) ? item.updatedAt : null;
  return h('tr', {
    'data-testid': 'execution-row', 'data-execution-id': item.executionId, 'data-status': item.status,
  },
  h('td', {}, h('a', { href: href(`/executions/${segment(item.executionId)}`) }, item.name)),
  h('td', {}, h('a', { href: href(`/state-machines/${segment(item.stateMachine)}`) },
    item.stateMachine)),
  h('td', {}, badge(item.status)),
  h('td', { title: item.createdAt }, when(item.createdAt)),
  h('td', {}, duration(item.createdAt, end)),
  h('td', { class: 'current' }, current.join(', ')));
}
