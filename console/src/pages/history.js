// The history as a table: paged, filtered by event type, following a running execution.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { short, when } from '../format.js';
import { tree } from '../json.js';
import { setQuery } from '../router.js';

const PAGE = 100;
const TYPES = [
  'ExecutionStarted', 'StateEntered', 'StateExited', 'TaskScheduled', 'TaskStarted',
  'TaskSucceeded', 'TaskFailed', 'TaskSubmitted', 'TaskHeartbeat', 'ActivityStarted',
  'RetryScheduled', 'WaitStarted', 'FanOutStarted', 'FanOutSucceeded', 'FanOutFailed',
  'BranchStarted', 'BranchSucceeded', 'BranchFailed', 'BranchCancelled',
  'PauseRequested', 'ExecutionPaused', 'ExecutionResumed', 'ExecutionCancelled',
  'ExecutionRedriven', 'ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut',
  'ScheduleCreated', 'ScheduleFired', 'ScheduleDeleted', 'LeaseExpired', 'WorkRedispatched',
];

/** The history table of `executionId`; `refresh()` follows it when on its last page. */
export function historyTable(executionId, query, fail) {
  let type = query.get('type') || '';
  const tokens = [null];
  let shown = 0;
  let last = 0;
  let atEnd = false;
  let loads = 0; // a refresh answered after a newer load (a filter, a page) is dropped
  const rows = h('tbody');
  const filter = h('select', { 'data-testid': 'history-filter', 'aria-label': 'event type' },
    h('option', { value: '' }, 'every event type'), TYPES.map((t) => h('option', { value: t }, t)));
  filter.value = type;
  const first = h('button', { type: 'button', class: 'small' }, '⇤ First');
  const next = h('button', { type: 'button', class: 'small', 'data-testid': 'history-next' }, 'Next →');
  const follow = h('input', { type: 'checkbox', checked: true, 'data-testid': 'history-follow' });
  const element = h('div', { class: 'history' },
    h('div', { class: 'filters' }, filter, first, next, h('label', {}, follow, ' follow')),
    h('table', {}, h('thead', {}, h('tr', {}, ['#', 'Time', 'Type', 'State', 'Details']
      .map((t) => h('th', { scope: 'col' }, t)))), rows));

  async function load() {
    loads += 1;
    const answer = await api.history(executionId, { limit: PAGE, nextToken: tokens[shown], type });
    tokens.length = shown + 1;
    if (answer.nextToken) tokens.push(answer.nextToken);
    atEnd = !answer.nextToken;
    next.disabled = atEnd;
    first.disabled = shown === 0;
    replace(rows, answer.events.map(row));
    if (answer.events.length) last = answer.events[answer.events.length - 1].seq;
    else rows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No events.')));
  }
  const guarded = () => load().then(() => fail(null), fail);

  filter.addEventListener('change', () => {
    type = filter.value;
    setQuery({ type });
    shown = 0;
    last = 0;
    tokens.length = 1;
    guarded();
  });
  next.addEventListener('click', () => { shown += 1; guarded(); });
  first.addEventListener('click', () => { shown = 0; guarded(); });
  guarded();

  return {
    element,
    /** Append what happened since, when this is the last page and following is on. */
    async refresh() {
      if (!atEnd || !follow.checked) return;
      const asked = loads;
      const since = last;
      const answer = await api.history(executionId, { after: since, type, limit: PAGE });
      if (!answer.events.length || asked !== loads || since !== last) return;
      rows.querySelector('td.muted')?.closest('tr').remove();
      rows.append(...answer.events.map(row));
      last = answer.events[answer.events.length - 1].seq;
    },
  };
}

function row(event) {
  const details = event.details || {};
  const empty = !Object.keys(details).length;
  return h('tr', { 'data-testid': 'history-row', 'data-seq': event.seq, 'data-type': event.type },
    h('td', {}, event.seq), h('td', { title: event.timestamp }, when(event.timestamp)),
    h('td', {}, event.type), h('td', {}, event.state || ''),
    h('td', { class: 'details' }, empty ? '' : h('details', {}, h('summary', {}, short(details, 90)),
      tree(details))));
}
