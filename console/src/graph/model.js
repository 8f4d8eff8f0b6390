// A definition as a graph for ELK: one node per state (a Parallel's branches and a Map's
// iterator as nested groups), one edge per transition. Pure: no DOM, no layout.

const NODE_HEIGHT = 46;
const CHAR_WIDTH = 7.4;
const MAX_LABEL = 40;
export const START = '␂start';
export const END = '␃end';

/** The label a state is drawn with: its name, cut to a readable width. */
export function label(name) {
  return name.length <= MAX_LABEL ? name : `${name.slice(0, MAX_LABEL - 1)}…`;
}

/** The ELK graph of `definition`, every node carrying its state (`state`, `type`). */
export function graphOf(definition) {
  const edge = edgeMaker();
  const root = { id: 'root', children: [marker(START), marker(END)], edges: [] };
  container(root, definition, '', edge);
  root.edges.push(edge(START, definition.StartAt, 'start'));
  for (const [name, state] of Object.entries(definition.States || {})) {
    if (ends(state)) root.edges.push(edge(name, END, 'end'));
  }
  return root;
}

function container(group, definition, branchOf, edge) {
  for (const [name, state] of Object.entries(definition.States || {})) {
    group.children.push(stateNode(name, state, branchOf, edge));
    group.edges.push(...transitions(name, state, edge));
  }
}

function stateNode(name, state, branchOf, edge) {
  const width = Math.max(130, Math.min(label(name).length, MAX_LABEL) * CHAR_WIDTH + 48);
  const node = {
    id: name, state: name, type: state.Type, branchOf, width, height: NODE_HEIGHT,
  };
  const inner = innerDefinitions(state);
  if (!inner.length) return node;
  delete node.width;
  delete node.height;
  node.children = inner.map((branch, index) => {
    const group = {
      id: `${name}␟${index}`, group: branchLabel(state, index), children: [], edges: [],
      layoutOptions: { 'elk.padding': '[top=28,left=12,bottom=12,right=12]' },
    };
    container(group, branch, name, edge);
    return group;
  });
  node.edges = [];
  node.layoutOptions = {
    'elk.padding': '[top=52,left=12,bottom=12,right=12]',
    'elk.direction': state.Type === 'Parallel' ? 'RIGHT' : 'DOWN',
  };
  node.minWidth = width;
  return node;
}

function innerDefinitions(state) {
  if (state.Type === 'Parallel') return state.Branches || [];
  if (state.Type === 'Map') {
    const inner = state.ItemProcessor || state.Iterator;
    return inner ? [inner] : [];
  }
  return [];
}

function branchLabel(state, index) {
  return state.Type === 'Map' ? 'each item' : `branch ${index + 1}`;
}

function marker(id) {
  return { id, marker: id === START ? 'start' : 'end', width: 22, height: 22 };
}

function ends(state) {
  return state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';
}

/** A maker of edges with ids unique in one graph. */
export function edgeMaker() {
  let count = 0;
  return (from, to, kind, text = '', title = '') => {
    count += 1;
    const labels = text
      ? [{ id: `l${count}`, text, width: text.length * 6.4 + 8, height: 16 }]
      : [];
    return { id: `e${count}`, sources: [from], targets: [to], kind, title, labels };
  };
}

/** Every transition out of a state: Next, each Choice rule, Default, each Catch. */
export function transitions(name, state, edge = edgeMaker()) {
  const found = [];
  if (state.Next) found.push(edge(name, state.Next, 'next'));
  (state.Choices || []).forEach((rule, index) => {
    if (rule.Next) found.push(edge(name, rule.Next, 'choice', `rule ${index + 1}`, describe(rule)));
  });
  if (state.Default) found.push(edge(name, state.Default, 'default', 'Default'));
  for (const catcher of state.Catch || []) {
    const errors = (catcher.ErrorEquals || []).join(', ');
    if (catcher.Next) found.push(edge(name, catcher.Next, 'catch', 'Catch', `catch ${errors}`));
  }
  return found;
}

const OPERATORS = ['And', 'Or', 'Not', 'Condition'];

/** A Choice rule in words: `$.total NumericGreaterThan 0 and $.items[0] IsPresent true`. */
export function describe(rule) {
  if (rule.Condition !== undefined) return String(rule.Condition);
  if (rule.And) return rule.And.map((r) => `(${describe(r)})`).join(' and ');
  if (rule.Or) return rule.Or.map((r) => `(${describe(r)})`).join(' or ');
  if (rule.Not) return `not (${describe(rule.Not)})`;
  const test = Object.keys(rule).find((key) => !['Variable', 'Next', 'Comment', 'Assign',
    'Output', ...OPERATORS].includes(key));
  if (!test) return JSON.stringify(rule);
  return `${rule.Variable} ${test} ${JSON.stringify(rule[test])}`;
}

/** Every state of the definition, nested ones too, by name. */
export function statesOf(definition, into = new Map()) {
  for (const [name, state] of Object.entries(definition.States || {})) {
    into.set(name, state);
    for (const inner of innerDefinitions(state)) statesOf(inner, into);
  }
  return into;
}
