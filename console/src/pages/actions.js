// Pause, resume, cancel and redrive: each confirmed in a dialog, enabled only where the
// execution's status allows it.

import { api } from '../api.js';
import { openDialog, textField } from '../dialog.js';
import { h, replace } from '../dom.js';
import { TERMINAL } from '../format.js';
import { editor } from '../json.js';

const ALLOWED = {
  pause: (status) => status === 'RUNNING' || status === 'WAITING',
  resume: (status) => status === 'PAUSED',
  cancel: (status) => !TERMINAL.has(status),
  redrive: (status) => status === 'FAILED',
};

/**
 * The action bar of an execution. `picker` lets the resume dialog pick breakpoints on the
 * graph; `after(error)` runs once an action is done or refused (the page reloads then).
 */
export function actionBar(executionId, { picker, after }) {
  const buttons = {};
  for (const action of Object.keys(ALLOWED)) {
    buttons[action] = h('button', {
      type: 'button', 'data-testid': `action-${action}`, disabled: true,
      class: action === 'cancel' ? 'danger' : '',
      onclick: () => open(action),
    }, action[0].toUpperCase() + action.slice(1));
  }
  let current = null;

  function open(action) {
    const reason = textField('Reason', { 'data-testid': 'reason', maxlength: 1024 });
    const fields = [];
    const read = [];
    if (action !== 'redrive') fields.push(reason.element);
    if (action === 'pause') {
      const seconds = textField('Resume by itself after (seconds; empty for the default, 0 for never)',
        { 'data-testid': 'auto-resume', inputmode: 'numeric', pattern: '[0-9]*' });
      fields.push(seconds.element);
      read.push(() => {
        const text = seconds.input.value.trim();
        if (!text) return {};
        if (!/^[0-9]+$/.test(text)) return { problem: 'seconds must be a whole number' };
        return { autoResumeSeconds: Number(text) };
      });
    }
    if (action === 'resume') {
      const data = editor({}, { label: 'Data (merged into the variables)', object: true });
      const chosen = h('p', { class: 'breakpoints', 'data-testid': 'breakpoints' });
      const breakpoints = new Set(current.pauseBefore || []);
      const show = () => replace(chosen, breakpoints.size
        ? `Breakpoints: ${[...breakpoints].join(', ')}` : 'No breakpoints.');
      show();
      picker.begin(breakpoints, show);
      fields.push(data.element, h('p', { class: 'muted' },
        'Click states of the graph to set or clear breakpoints.'), chosen);
      read.push(() => {
        const found = data.read();
        if (found.problem) return { problem: `Data: ${found.problem}` };
        return { data: found.value, pauseBefore: [...breakpoints] };
      });
    }
    const words = {
      pause: 'The task in flight finishes and its result is kept; nothing new starts.',
      resume: 'The execution goes on from where it was paused.',
      cancel: 'The execution stops for good (CANCELLED).',
      redrive: 'The failed execution goes on from the state that failed.',
    };
    openDialog({
      title: `${action[0].toUpperCase() + action.slice(1)} ${executionId}?`,
      fields: [h('p', {}, words[action]), ...fields],
      confirmLabel: action[0].toUpperCase() + action.slice(1),
      danger: action === 'cancel',
      modal: action !== 'resume',
      onClose: () => picker.end(),
      onConfirm: async () => {
        const body = action === 'redrive' ? {} : { reason: reason.input.value };
        for (const part of read) {
          const found = part();
          if (found.problem) return found.problem;
          Object.assign(body, found);
        }
        try {
          await api.act(executionId, action, body);
          after(null);
        } catch (error) {
          after(error);
        }
        return undefined;
      },
    });
  }

  // The rollout flag (enable-workflow-state-management) may leave this workflow out:
  // then pause and resume are refused (409 FeatureDisabled), and the bar says why.
  const off = h('span', { class: 'muted', 'data-testid': 'state-management-off', hidden: true },
    'Pause and resume are off for this workflow: the enable-workflow-state-management flag does not enable state management for it.');
  return {
    element: h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'actions' },
      Object.values(buttons), off),
    /** Enable what the execution's status, and the rollout flag, allow. */
    update(document) {
      current = document;
      const managed = document.stateManagement !== false;
      off.hidden = managed;
      for (const [action, button] of Object.entries(buttons)) {
        const managing = action === 'pause' || action === 'resume';
        button.disabled = !ALLOWED[action](document.status) || (managing && !managed);
      }
    },
  };
}
