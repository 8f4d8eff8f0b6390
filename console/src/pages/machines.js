// State machines: each with its revision and graph; an execution started from here with
// an input, a name and breakpoints picked on the graph.

import { api } from '../api.js';
import { textField } from '../dialog.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { graphView } from '../graph/view.js';
import { copyButton, editor, tree } from '../json.js';
import { frame } from '../page.js';
import { go, href, segment } from '../router.js';

export function machinesPage(root) {
  const page = frame(root, 'State machines');
  const rows = h('tbody');
  page.body.append(h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Revision', 'Updated', '']
    .map((t) => h('th', { scope: 'col' }, t)))), rows));
  api.stateMachines().then((answer) => {
    const items = [...answer.items].sort((a, b) => a.name.localeCompare(b.name));
    replace(rows, items.length ? items.map((m) => h('tr', { 'data-testid': 'state-machine-row', 'data-name': m.name },
      h('td', {}, h('a', { href: href(`/state-machines/${segment(m.name)}`) }, m.name)),
      h('td', {}, m.revision), h('td', {}, when(m.updatedAt)),
      h('td', {}, h('a', { href: href('/', { stateMachine: m.name }) }, 'executions'))))
      : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No state machines yet: segue deploy-definition FILE')));
  }).catch((error) => page.fail(error));
}

export function machinePage(root, [name]) {
  const page = frame(root, name);
  api.stateMachine(name).then((machine) => {
    const graph = graphView(machine.definition, { legend: false });
    const breakpoints = new Set();
    const input = editor({}, { label: 'Input' });
    const runName = textField('Name (optional; the same name twice starts one execution)',
      { 'data-testid': 'execution-name', maxlength: 80 });
    const chosen = h('p', { class: 'breakpoints', 'data-testid': 'breakpoints' }, 'No breakpoints.');
    const redraw = () => {
      graph.update({ breakpoints, onPick: toggle });
      replace(chosen, breakpoints.size ? `Breakpoints: ${[...breakpoints].join(', ')}` : 'No breakpoints.');
    };
    const toggle = (state) => {
      if (breakpoints.has(state)) breakpoints.delete(state);
      else breakpoints.add(state);
      redraw();
    };
    graph.ready.then(redraw);
    const problem = h('p', { class: 'dialog-problem', role: 'alert' });
    const start = h('button', { type: 'submit', class: 'primary', 'data-testid': 'action-start' }, 'Start');
    const form = h('form', { class: 'start', 'aria-label': 'start an execution' },
      h('h2', {}, 'Start an execution'), input.element, runName.element,
      h('p', { class: 'muted' }, 'Click states of the graph to pause before them.'), chosen, problem, start);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const found = input.read();
      if (found.problem) {
        problem.textContent = `Input: ${found.problem}`;
        return;
      }
      problem.textContent = '';
      start.disabled = true;
      try {
        const body = { stateMachine: name, input: found.value, pauseBefore: [...breakpoints] };
        if (runName.input.value.trim()) body.name = runName.input.value.trim();
        const answer = await api.start(body);
        go(href(`/executions/${segment(answer.executionId)}`));
      } catch (error) {
        page.fail(error, { action: true });
      } finally {
        start.disabled = false;
      }
    });
    page.heading.append(h('span', { class: 'muted' }, ` revision ${machine.revision}`));
    page.body.append(h('p', { class: 'meta' }, h('a', { href: href('/', { stateMachine: name }) },
      'its executions')),
    h('div', { class: 'execution' }, graph.element, h('div', { class: 'side-wrap' }, form)),
    h('details', { class: 'definition' }, h('summary', {}, 'Definition ', copyButton(machine.definition)),
      tree(machine.definition)));
  }).catch((error) => page.fail(error));
}
