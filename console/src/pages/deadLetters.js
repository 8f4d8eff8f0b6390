// The dead-letter queues: the messages that failed too often, with their receive counts
// and bodies; the chosen ones sent back to their queue.

import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { frame } from '../page.js';
import { setQuery } from '../router.js';

const QUEUES = ['work', 'events'];

export function deadLettersPage(root, _params, query) {
  const page = frame(root, 'Dead letters');
  let queue = QUEUES.includes(query.get('queue')) ? query.get('queue') : 'work';
  const chosen = new Set();
  const tabs = h('div', { role: 'tablist', class: 'tabs' });
  const rows = h('tbody');
  const selected = h('button', { type: 'button', 'data-testid': 'redrive-selected', disabled: true },
    'Redrive selected');
  page.body.append(tabs, h('div', { class: 'filters' }, selected),
    h('table', {}, h('thead', {}, h('tr', {}, ['', 'Message', 'Sent', 'Received', 'Body', '']
      .map((t) => h('th', { scope: 'col' }, t)))), rows));

  function showTabs() {
    replace(tabs, QUEUES.map((q) => h('button', {
      type: 'button', role: 'tab', 'aria-selected': String(q === queue), 'data-testid': `queue-${q}`,
      onclick: () => { queue = q; setQuery({ queue: q === 'work' ? '' : q }); chosen.clear(); showTabs(); load(); },
    }, `${q} queue`)));
  }

  async function load() {
    try {
      const answer = await api.deadLetters(queue);
      page.fail(null);
      replace(rows, answer.items.length ? answer.items.map(row)
        : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, `No dead letters on the ${queue} queue.`)));
    } catch (error) {
      page.fail(error);
    }
    selected.disabled = !chosen.size;
  }

  function redrive(ids) {
    openDialog({
      title: `Send ${ids.length} message(s) back to the ${queue} queue?`,
      fields: [h('p', {}, ids.join(', '))],
      confirmLabel: 'Redrive',
      onConfirm: async () => {
        try {
          const answer = await api.redriveDeadLetters(queue, ids);
          if (answer.notFound.length) {
            page.fail(new Error(`not found any more: ${answer.notFound.join(', ')}`), { action: true });
          }
        } catch (error) {
          page.fail(error, { action: true });
        }
        ids.forEach((id) => chosen.delete(id));
        await load();
        return undefined;
      },
    });
  }

  function row(message) {
    const box = h('input', { type: 'checkbox', 'aria-label': `choose ${message.messageId}`,
      checked: chosen.has(message.messageId) });
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(message.messageId);
      else chosen.delete(message.messageId);
      selected.disabled = !chosen.size;
    });
    return h('tr', { 'data-testid': 'dead-letter-row', 'data-message-id': message.messageId },
      h('td', {}, box), h('td', { class: 'mono' }, message.messageId), h('td', {}, when(message.sentAt)),
      h('td', {}, `${message.receiveCount}×`),
      h('td', { class: 'mono body' }, h('details', {}, h('summary', {}, String(message.body).slice(0, 100)),
        h('pre', {}, message.body))),
      h('td', {}, h('button', { type: 'button', 'data-testid': 'redrive',
        onclick: () => redrive([message.messageId]) }, 'Redrive')));
  }

  selected.addEventListener('click', () => redrive([...chosen]));
  showTabs();
  load();
}
