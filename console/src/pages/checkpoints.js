// The checkpoints of an execution, latest marked; one opened shows the head as it was.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { tree } from '../json.js';
import { badge } from '../page.js';

export function checkpointList(executionId, fail) {
  const rows = h('tbody');
  const opened = h('div', { class: 'checkpoint', 'data-testid': 'checkpoint' });
  const element = h('div', { class: 'checkpoints' },
    h('table', {}, h('thead', {}, h('tr', {}, ['Version', 'At', 'Status', 'Why', '']
      .map((t) => h('th', { scope: 'col' }, t)))), rows), opened);

  async function open(version) {
    try {
      const found = await api.checkpoint(executionId, version);
      replace(opened, h('h3', {}, `Checkpoint ${version}`), tree(found));
    } catch (error) {
      fail(error);
    }
  }

  async function refresh() {
    const answer = await api.checkpoints(executionId);
    replace(rows, answer.items.map((c) => h('tr', {
      'data-testid': 'checkpoint-row', 'data-version': c.version, 'data-latest': String(c.latest),
    },
    h('td', {}, c.version, c.latest ? h('strong', { class: 'latest' }, ' latest') : ''),
    h('td', {}, when(c.at)), h('td', {}, badge(c.status)), h('td', {}, c.reason || ''),
    h('td', {}, h('button', { type: 'button', class: 'small', onclick: () => open(c.version) }, 'Open')))));
  }
  return { element, refresh };
}
