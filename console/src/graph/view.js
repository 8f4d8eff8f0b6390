// A graph on the page: laid out once per definition, redrawn as statuses change.

import { h, replace } from '../dom.js';
import { draw } from './draw.js';
import { layOut } from './layout.js';
import { graphOf, statesOf } from './model.js';

/** A graph panel for `definition`; `update(options)` redraws it with new statuses. */
export function graphView(definition, { legend = true } = {}) {
  const canvas = h('div', { class: 'graph-canvas', 'data-testid': 'graph' },
    h('p', { class: 'muted' }, 'Laying out the graph…'));
  let zoom = 1;
  let laid = null;
  let options = {};
  const zoomBy = (factor) => () => {
    zoom = factor ? Math.min(2, Math.max(0.2, zoom * factor)) : fit();
    render();
  };
  const fit = () => (laid ? Math.min(1, (canvas.clientWidth - 8) / laid.width) : 1);
  const tools = h('div', { class: 'graph-tools', role: 'toolbar', 'aria-label': 'zoom' },
    h('button', { type: 'button', class: 'small', onclick: zoomBy(1 / 1.25) }, '−'),
    h('button', { type: 'button', class: 'small', onclick: zoomBy(1.25) }, '+'),
    h('button', { type: 'button', class: 'small', onclick: zoomBy(0) }, 'Fit'),
    legend ? h('span', { class: 'legend' }, '✓ done · ▶ current · ✗ failed · ○ pending · – not reached')
      : null);
  const element = h('section', { class: 'graph-panel' }, tools, canvas);
  const names = [...statesOf(definition).keys()];

  function render() {
    if (!laid) return;
    const began = performance.now();
    const svg = draw(laid, options);
    svg.setAttribute('width', String(Math.round(laid.width * zoom)));
    svg.setAttribute('height', String(Math.round(laid.height * zoom)));
    replace(canvas, svg);
    canvas.dataset.drawn = 'true';
    canvas.dataset.drawMs = String(Math.round(performance.now() - began));
  }

  const began = performance.now();
  const ready = layOut(graphOf(definition)).then((result) => {
    laid = result;
    canvas.dataset.layoutMs = String(Math.round(performance.now() - began));
    zoom = fit();
    render();
  }).catch((error) => {
    replace(canvas, h('p', { 'data-testid': 'error', role: 'alert' },
      `The graph could not be laid out: ${error.message || error}`));
  });

  return {
    element,
    names,
    ready,
    update(next) {
      options = next;
      render();
    },
  };
}
