// The inspection document beside the graph, and what one state did.

import { api } from '../api.js';
import { h } from '../dom.js';
import { duration, short, when } from '../format.js';
import { copyButton, tree } from '../json.js';
import { href, segment } from '../router.js';

/** The inspection document, section by section. */
export function inspection(doc) {
  const sections = [];
  if (doc.pause) {
    const p = doc.pause;
    sections.push(section('Pause', h('dl', {},
      item('asked by', p.by), item('reason', p.reason || '—'), item('asked at', when(p.requestedAt)),
      item('paused at', p.pausedAt ? when(p.pausedAt) : 'not yet (a task is finishing)'),
      item('resumes by itself', p.autoResumeAt ? when(p.autoResumeAt) : 'never'))));
  }
  if (doc.error || doc.cause) {
    sections.push(section('Error', h('dl', { class: 'failure' }, item('error', doc.error),
      item('cause', doc.cause))));
  }
  sections.push(section(`Current (${doc.currentStates.length})`, list(doc.currentStates, (c) =>
    [h('strong', {}, c.name), ` ${c.status.toLowerCase()} since ${when(c.since)}`,
      c.attempt > 1 ? `, attempt ${c.attempt}` : '',
      c.branches ? ` — ${c.branches.finished}/${c.branches.total} done, `
        + `${c.branches.started - c.branches.finished} running, ${c.branches.failed || 0} failed` : ''])));
  if (doc.waits.length) {
    sections.push(section('Waiting for', list(doc.waits, (w) =>
      [h('strong', {}, w.state), ` ${w.kind}`, w.name ? ` ${w.name}` : '', w.key ? ` ${w.key}` : '',
        w.dueAt ? ` until ${when(w.dueAt)}` : ''])));
  }
  if (doc.parent) {
    sections.push(section('Started by', h('p', {}, execution(doc.parent.executionId),
      doc.parent.waits ? ' (its task waits for this one)' : '')));
  }
  if ((doc.children || []).length) {
    sections.push(section(`Children (${doc.children.length})`, list(doc.children, (c) =>
      [execution(c.executionId), ` ${c.status.toLowerCase()}, from ${c.state}`])));
  }
  if ((doc.mapRuns || []).length) {
    sections.push(section(`Map runs (${doc.mapRuns.length})`, list(doc.mapRuns, mapRun)));
  }
  if ((doc.failedStates || []).length) {
    sections.push(section('Failed in', list(doc.failedStates, (f) =>
      [h('strong', {}, f.name), ` ${f.error || ''}`, f.cause ? `: ${short(f.cause, 160)}` : ''])));
  }
  sections.push(section(`Pending (${doc.pendingStates.length})`,
    h('p', { class: 'names' }, doc.pendingStates.join(', ') || '—')));
  sections.push(section(`Completed (${doc.completedStates.length})`, list(doc.completedStates.slice(-50),
    (c) => [h('strong', {}, c.name), ` ${when(c.exitedAt)} (${duration(c.enteredAt, c.exitedAt)})`,
      c.attempts > 1 ? `, ${c.attempts} attempts` : ''])));
  if ((doc.pauseBefore || []).length) {
    sections.push(section('Breakpoints', h('p', { class: 'names' }, doc.pauseBefore.join(', '))));
  }
  sections.push(section('Variables', tree(doc.variables, { 'data-testid': 'variables' }),
    copyButton(doc.variables)));
  return h('div', { class: 'inspection', 'data-testid': 'inspection' }, sections);
}

/** What one state did: its input, output, attempts, errors and times, from its history. */
export async function stateDetail(doc, name) {
  const answer = await api.history(doc.executionId, { state: name, limit: 1000 });
  const events = answer.events;
  const entered = events.filter((e) => e.type === 'StateEntered');
  const exited = events.filter((e) => e.type === 'StateExited');
  const failures = events.filter((e) => e.type === 'TaskFailed');
  const attempts = events.filter((e) => e.type === 'TaskStarted').length;
  const last = entered[entered.length - 1];
  const out = exited[exited.length - 1];
  const current = doc.currentStates.find((c) => c.name === name);
  const waits = doc.waits.filter((w) => w.state === name);
  const parts = [h('h3', {}, name), h('dl', {},
    item('entered', last ? `${when(last.timestamp)}${entered.length > 1 ? ` (${entered.length} times)` : ''}` : 'never'),
    item('left', out ? `${when(out.timestamp)} after ${duration(last && last.timestamp, out.timestamp)}` : '—'),
    item('attempts', attempts || (last ? 1 : 0)),
    current ? item('now', `${current.status.toLowerCase()} since ${when(current.since)}`) : null,
    waits.map((w) => item('waits for', `${w.kind}${w.name ? ` ${w.name}` : ''}${w.key ? ` ${w.key}` : ''}`
      + (w.dueAt ? ` until ${when(w.dueAt)}` : ' with no time limit'))))];
  for (const failure of failures.slice(-5)) {
    parts.push(h('div', { class: 'failure' }, h('strong', {}, failure.details.error || 'error'),
      ` at ${when(failure.timestamp)}: `, failure.details.cause || ''));
  }
  if (last) parts.push(h('h4', {}, 'Input ', copyButton(last.details.input)), tree(last.details.input));
  if (out) parts.push(h('h4', {}, 'Output ', copyButton(out.details.output)), tree(out.details.output));
  if (answer.nextToken) parts.push(h('p', { class: 'muted' }, 'Only its first 1,000 events are read here.'));
  return h('div', { class: 'state-detail', 'data-testid': 'state-detail', 'data-state': name }, parts);
}

/** A Distributed Map's run: how many of its items are done, running, failed or still to come. */
function mapRun(run) {
  const items = run.items;
  const done = items.succeeded + items.failed + items.aborted;
  return h('div', { 'data-testid': 'map-run', 'data-status': run.status },
    h('strong', {}, run.state), ` ${run.status.toLowerCase()}${run.paused ? ', paused' : ''}`,
    run.redriveCount ? `, redriven ${run.redriveCount}×` : '',
    h('progress', { max: String(items.total || 1), value: String(done) }),
    h('p', { class: 'names' }, `${done} of ${items.total} items done: ${items.succeeded} succeeded, `
      + `${items.failed} failed, ${items.aborted} aborted; ${items.running} running, `
      + `${items.pending} pending — in ${run.children.total} child executions of ${run.stateMachine}`));
}

function execution(id) {
  return h('a', { href: href(`/executions/${segment(id)}`), 'data-testid': 'related' }, id);
}

function section(title, ...children) {
  return h('section', {}, h('h3', {}, title), children);
}

function item(term, value) {
  return [h('dt', {}, term), h('dd', {}, value === undefined || value === null ? '' : String(value))];
}

function list(items, render) {
  if (!items.length) return h('p', { class: 'muted' }, '—');
  return h('ul', {}, items.map((entry) => h('li', {}, render(entry))));
}
