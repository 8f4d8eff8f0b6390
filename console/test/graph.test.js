// The graph's model and statuses, from definitions and inspection documents alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describe, END, graphOf, label, START, statesOf } from '../src/graph/model.js';
import { statuses } from '../src/graph/status.js';

const ORDER = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.total', NumericGreaterThan: 0, Next: 'Fan' }],
      Default: 'Reject',
    },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'x', End: true } } },
        { StartAt: 'B', States: { B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Pass', End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Reject' }],
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
      End: true,
    },
    Reject: { Type: 'Fail', Error: 'Rejected' },
  },
};

const edgesOf = (node) => (node.edges || []).map((e) => [e.sources[0], e.targets[0], e.kind]);

test('every state is a node and every transition an edge, nested states inside their group', () => {
  const graph = graphOf(ORDER);
  const top = graph.children.map((c) => c.id);
  assert.deepEqual(top, [START, END, 'Check', 'Fan', 'Each', 'Reject']);
  assert.deepEqual(edgesOf(graph), [
    ['Check', 'Fan', 'choice'], ['Check', 'Reject', 'default'],
    ['Fan', 'Each', 'next'], ['Fan', 'Reject', 'catch'],
    [START, 'Check', 'start'], ['Each', END, 'end'], ['Reject', END, 'end'],
  ]);
  const fan = graph.children.find((c) => c.id === 'Fan');
  assert.equal(fan.children.length, 2);
  assert.deepEqual(fan.children[1].children.map((c) => c.id), ['B', 'C']);
  assert.deepEqual(edgesOf(fan.children[1]), [['B', 'C', 'next']]);
  const each = graph.children.find((c) => c.id === 'Each');
  assert.equal(each.children[0].group, 'each item');
  assert.deepEqual([...statesOf(ORDER).keys()], ['Check', 'Fan', 'A', 'B', 'C', 'Each', 'Item', 'Reject']);
});

test('edge ids are unique within a graph', () => {
  const ids = [];
  const walk = (node) => {
    ids.push(...(node.edges || []).map((e) => e.id));
    (node.children || []).forEach(walk);
  };
  walk(graphOf(ORDER));
  assert.equal(new Set(ids).size, ids.length);
});

test('a choice rule reads as words, nested rules too', () => {
  assert.equal(describe({ Variable: '$.a', StringEquals: 'x', Next: 'N' }), '$.a StringEquals "x"');
  assert.equal(
    describe({ And: [{ Variable: '$.a', IsPresent: true }, { Not: { Variable: '$.b', NumericLessThan: 1 } }] }),
    '($.a IsPresent true) and (not ($.b NumericLessThan 1))',
  );
  assert.equal(describe({ Condition: '{% $x > 1 %}', Next: 'N' }), '{% $x > 1 %}');
});

test('long names are cut for drawing but kept whole elsewhere', () => {
  const name = 'N'.repeat(80);
  assert.equal(label(name).length, 40);
  assert.equal(label('short'), 'short');
});

test('a state is current before failed before completed before pending before unreached', () => {
  const names = ['Check', 'Fan', 'A', 'B', 'C', 'Each', 'Item', 'Reject'];
  const doc = {
    status: 'RUNNING',
    currentStates: [
      { name: 'A', status: 'LEASED' },
      { name: 'Fan', status: 'READY', branches: { total: 2, started: 2, finished: 1, failed: 0 } },
    ],
    failedStates: [],
    completedStates: [{ name: 'Check' }, { name: 'B' }, { name: 'C' }, { name: 'C' }],
    pendingStates: ['Each', 'Reject'],
  };
  const found = statuses(names, doc);
  assert.deepEqual(Object.fromEntries([...found].map(([k, v]) => [k, v.status])), {
    A: 'current', Fan: 'current', Check: 'completed', B: 'completed', C: 'completed',
    Each: 'pending', Reject: 'pending', Item: 'unreached',
  });
  assert.equal(found.get('A').words, 'running');
  assert.equal(found.get('Fan').words, '1/2 done, 1 running');
  assert.equal(found.get('C').words, 'done ×2');
});

test('a paused execution parks its current states; a failed one marks where it failed', () => {
  const paused = statuses(['A'], { status: 'PAUSED', currentStates: [{ name: 'A', status: 'READY' }] });
  assert.equal(paused.get('A').words, 'parked');
  const failed = statuses(['A', 'B'], {
    status: 'FAILED', currentStates: [], failedStates: [{ name: 'B', error: 'E' }],
    completedStates: [{ name: 'A' }], pendingStates: [],
  });
  assert.equal(failed.get('B').status, 'failed');
  assert.equal(failed.get('A').status, 'completed');
});
