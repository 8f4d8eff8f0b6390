// The laid-out graph as SVG: each state a focusable group carrying its status as an
// attribute, a mark and a word (never colour alone).

import { s } from '../dom.js';
import { label } from './model.js';
import { MARKS } from './status.js';

/**
 * An SVG of `laid` (from layOut). `statuses` maps a state to {status, words};
 * `onPick(name)` is called when a state is clicked or chosen with the keyboard;
 * `breakpoints` (a Set) are marked.
 */
export function draw(laid, { statuses = new Map(), onPick = () => {}, breakpoints = new Set(),
  selected = null } = {}) {
  const svg = s('svg', {
    class: 'graph', width: laid.width, height: laid.height,
    viewBox: `0 0 ${laid.width} ${laid.height}`, role: 'group', 'aria-label': 'state machine graph',
  });
  svg.append(s('defs', {}, arrow('arrow', 'edge-arrow')));
  drawGroup(svg, laid, { statuses, onPick, breakpoints, selected });
  return svg;
}

function arrow(id, cls) {
  return s('marker', {
    id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse',
  }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
}

function drawGroup(parent, group, context) {
  for (const edge of group.edges || []) parent.append(drawEdge(edge));
  for (const node of group.children || []) {
    const at = s('g', { transform: `translate(${node.x},${node.y})` });
    parent.append(at);
    if (node.marker) at.append(drawMarker(node));
    else if (node.group) at.append(drawBranch(node, context));
    else at.append(drawState(node, context));
  }
}

function drawEdge(edge) {
  const group = s('g', { class: `edge edge-${edge.kind}` });
  for (const section of edge.sections || []) {
    const points = [section.startPoint, ...(section.bendPoints || []), section.endPoint];
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
    group.append(s('path', { d, 'marker-end': 'url(#arrow)' }));
  }
  for (const text of edge.labels || []) {
    if (text.x === undefined) continue;
    group.append(s('text', { x: text.x + 4, y: text.y + 12, class: 'edge-label' }, text.text));
  }
  if (edge.title) group.append(s('title', {}, edge.title));
  return group;
}

function drawMarker(node) {
  const r = node.width / 2;
  const words = node.marker === 'start' ? 'start' : 'end';
  return s('g', { class: `marker marker-${node.marker}` },
    s('circle', { cx: r, cy: r, r: r - 1 }), s('title', {}, words));
}

function drawBranch(node, context) {
  const g = s('g', { class: 'branch' },
    s('rect', { width: node.width, height: node.height, rx: 6 }),
    s('text', { x: 10, y: 18, class: 'branch-label' }, node.group));
  drawGroup(g, node, context);
  return g;
}

function drawState(node, context) {
  // a definition drawn without an execution has no statuses: its states are plain
  const plain = !context.statuses.size;
  const found = context.statuses.get(node.state) || { status: 'unreached', words: 'not reached' };
  const picked = context.breakpoints.has(node.state);
  const g = s('g', {
    class: `node status-${plain ? 'plain' : found.status}${context.selected === node.state ? ' selected' : ''}`,
    'data-testid': 'graph-node', 'data-state': node.state, 'data-status': found.status,
    'data-type': node.type, tabindex: 0, role: 'button',
    'aria-label': `${node.state} (${node.type})${plain ? '' : `: ${found.words}`}${picked ? ', breakpoint' : ''}`,
  });
  g.append(s('rect', { width: node.width, height: node.height, rx: 6, class: 'node-box' }));
  g.append(s('text', { x: 10, y: 19, class: 'node-name' }, label(node.state)));
  g.append(s('text', { x: 10, y: 36, class: 'node-status' },
    plain ? node.type : `${MARKS[found.status]} ${found.words} · ${node.type}`));
  if (picked) {
    g.append(s('text', { x: node.width - 20, y: 19, class: 'node-breakpoint' }, '‖'));
    g.setAttribute('data-breakpoint', 'true');
  }
  g.append(s('title', {}, plain ? node.state : `${node.state}: ${found.words}`));
  const pick = (event) => {
    event.stopPropagation();
    context.onPick(node.state);
  };
  g.addEventListener('click', pick);
  g.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pick(event);
    }
  });
  drawGroup(g, node, context);
  return g;
}
