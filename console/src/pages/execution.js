// One execution: the graph coloured by what it did, the inspection, checkpoints and
// history beside it, and the actions an operator may take.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { duration, TERMINAL, when } from '../format.js';
import { graphView } from '../graph/view.js';
import { statuses } from '../graph/status.js';
import { copyButton, tree } from '../json.js';
import { poll } from '../live.js';
import { badge, frame } from '../page.js';
import { href, segment, setQuery } from '../router.js';
import { actionBar } from './actions.js';
import { checkpointList } from './checkpoints.js';
import { historyTable } from './history.js';
import { inspection, stateDetail } from './inspection.js';

const REFRESH_MS = 2000;
const TABS = ['inspection', 'history', 'checkpoints', 'io'];
const TAB_NAMES = { inspection: 'Inspection', history: 'History', checkpoints: 'Checkpoints', io: 'Input & output' };

export function executionPage(root, [executionId], query) {
  const page = frame(root, executionId);
  let doc = null;
  let graph = null;
  let selected = query.get('state') || null;
  let picking = null; // {breakpoints, changed} while a dialog picks breakpoints
  let tab = TABS.includes(query.get('tab')) ? query.get('tab') : 'inspection';

  const status = h('span', { 'data-testid': 'execution-status', class: 'status-word' });
  const meta = h('p', { class: 'meta' });
  const side = h('aside', { class: 'side' });
  const detail = h('div', { class: 'detail' });
  const panes = {};
  const tabs = h('div', { role: 'tablist', class: 'tabs' });
  const history = historyTable(executionId, query, (e) => page.fail(e));
  const checkpoints = checkpointList(executionId, (e) => page.fail(e));
  panes.history = history.element;
  panes.checkpoints = checkpoints.element;
  panes.inspection = h('div');
  panes.io = h('div');
  const graphSlot = h('div', { class: 'graph-slot' });

  const actions = actionBar(executionId, {
    picker: {
      begin(breakpoints, changed) { picking = { breakpoints, changed }; redraw(); },
      end() { picking = null; redraw(); },
    },
    after(error) {
      page.fail(error, { action: true });
      refresh();
    },
  });
  page.heading.append(' ', status);
  page.body.append(meta, actions.element,
    h('div', { class: 'execution' }, graphSlot, h('div', { class: 'side-wrap' }, tabs, side)), detail);

  function showTab(name) {
    tab = name;
    setQuery({ tab: name === 'inspection' ? '' : name });
    replace(tabs, TABS.map((t) => h('button', {
      type: 'button', role: 'tab', 'aria-selected': String(t === tab), 'data-testid': `tab-${t}`,
      onclick: () => showTab(t),
    }, TAB_NAMES[t])));
    replace(side, panes[tab]);
    if (tab === 'checkpoints') checkpoints.refresh().catch((e) => page.fail(e));
  }

  function pick(name) {
    if (picking) {
      if (picking.breakpoints.has(name)) picking.breakpoints.delete(name);
      else picking.breakpoints.add(name);
      picking.changed();
      redraw();
      return;
    }
    selected = name;
    setQuery({ state: name });
    redraw();
    showDetail();
  }

  async function showDetail() {
    if (!selected || !doc) return;
    try {
      replace(detail, await stateDetail(doc, selected));
    } catch (error) {
      page.fail(error);
    }
  }

  function redraw() {
    if (!graph || !doc) return;
    graph.update({
      statuses: statuses(graph.names, doc),
      onPick: pick,
      selected,
      breakpoints: picking ? picking.breakpoints : new Set(doc.pauseBefore || []),
    });
  }

  async function refresh() {
    const previous = doc;
    doc = await api.execution(executionId);
    page.fail(null);
    replace(status, badge(doc.status));
    status.dataset.status = doc.status;
    const end = TERMINAL.has(doc.status) ? doc.updatedAt : null;
    replace(meta, 'state machine ', h('a', { href: href(`/state-machines/${segment(doc.stateMachine)}`) },
      doc.stateMachine), ` revision ${doc.revision} · started ${when(doc.createdAt)} · `,
    `${end ? 'took' : 'running for'} ${duration(doc.createdAt, end)} · checkpoint ${doc.checkpoint.version}`);
    actions.update(doc);
    if (!graph) {
      const machine = await api.stateMachine(doc.stateMachine);
      const definition = machine.revision === doc.revision ? machine.definition : null;
      graph = graphView(definition || machine.definition);
      replace(graphSlot, graph.element);
      if (!definition) {
        graphSlot.prepend(h('p', { class: 'muted' },
          `Drawn from revision ${machine.revision}; this execution runs revision ${doc.revision}.`));
      }
      await graph.ready;
    }
    redraw();
    replace(panes.inspection, inspection(doc));
    replace(panes.io, h('div', { class: 'io' },
      h('h3', {}, 'Input ', copyButton(doc.input)), tree(doc.input, { 'data-testid': 'input' }),
      'output' in doc ? [h('h3', {}, 'Output ', copyButton(doc.output)),
        tree(doc.output, { 'data-testid': 'output' })] : h('p', { class: 'muted' }, 'No output yet.'),
      doc.error ? [h('h3', {}, 'Error'), h('p', {}, doc.error), h('p', {}, doc.cause || '')] : null));
    if (selected && (!previous || previous.checkpoint.version !== doc.checkpoint.version)) showDetail();
    if (tab === 'history') await history.refresh();
    if (tab === 'checkpoints' && previous && previous.checkpoint.version !== doc.checkpoint.version) {
      await checkpoints.refresh();
    }
  }

  showTab(tab);
  const guarded = () => refresh().catch((error) => page.fail(error));
  guarded().then(() => showDetail());
  // an ended execution changes only when someone redrives it: look less often
  let ticks = 0;
  return poll(() => {
    ticks += 1;
    return doc && TERMINAL.has(doc.status) && ticks % 5 ? Promise.resolve() : guarded();
  }, REFRESH_MS);
}
