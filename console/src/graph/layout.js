// ELK lays the graph out in a worker, so a big definition never blocks the page.

import ELK from 'elkjs/lib/elk-api.js';

let elk = null;

const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.nodeNode': '26',
  'elk.spacing.edgeLabel': '4',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
};

const BIG = 100;
/** States past which ELK tries one ordering instead of seven: 500 states lay out in about
 * half a second instead of two (measured in node on the bench's definition). */

/** The graph with positions: x, y, width and height on nodes, sections on edges. */
export async function layOut(graph) {
  if (!elk) elk = new ELK({ workerUrl: '/console/assets/elk-worker.min.js' });
  const options = count(graph) > BIG ? { ...OPTIONS, 'elk.layered.thoroughness': '1' } : OPTIONS;
  return elk.layout(withMinimum(graph), { layoutOptions: options });
}

function count(node) {
  return (node.children || []).reduce((total, child) => total + 1 + count(child), 0);
}

function withMinimum(node) {
  const copy = { ...node };
  if (node.minWidth) {
    copy.layoutOptions = {
      ...node.layoutOptions,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      'elk.nodeSize.minimum': `(${node.minWidth},60)`,
    };
  }
  if (node.children) copy.children = node.children.map(withMinimum);
  return copy;
}
