// The approvals inbox: pending first; approve or reject with a comment and data.

import { api } from '../api.js';
import { openDialog, textField } from '../dialog.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { editor } from '../json.js';
import { poll } from '../live.js';
import { badge, frame } from '../page.js';
import { href, segment, setQuery } from '../router.js';

const CHOICES = ['PENDING', 'APPROVED', 'REJECTED', 'TIMED_OUT', 'CANCELLED', ''];

export function approvalsPage(root, _params, query) {
  const page = frame(root, 'Approvals');
  // every status unless the URL names one; the pending ones come first
  const asked = query.get('status');
  let status = CHOICES.includes(asked) ? asked : '';
  const choose = h('select', { 'data-testid': 'approval-filter', 'aria-label': 'status' },
    CHOICES.map((c) => h('option', { value: c }, c || 'any status')));
  choose.value = status;
  const rows = h('tbody');
  page.body.append(h('div', { class: 'filters' }, choose),
    h('table', {}, h('thead', {}, h('tr', {}, ['Created', 'Execution', 'State', 'Message', 'Status', '']
      .map((t) => h('th', { scope: 'col' }, t)))), rows));

  async function load() {
    const answer = await api.approvals(status || undefined);
    page.fail(null);
    // pending first, then newest first
    const items = [...answer.items].sort((a, b) => (a.status === 'PENDING' ? 0 : 1)
      - (b.status === 'PENDING' ? 0 : 1) || String(b.createdAt).localeCompare(String(a.createdAt)));
    replace(rows, items.length ? items.map(row)
      : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No approvals.')));
  }
  const guarded = () => load().catch((error) => page.fail(error));

  function decide(approval, verdict) {
    const comment = textField('Comment', { 'data-testid': 'comment', maxlength: 4096 });
    const data = editor({}, { label: 'Data (given to the task)' });
    openDialog({
      title: `${verdict === 'approve' ? 'Approve' : 'Reject'}: ${approval.message || approval.state}`,
      fields: [h('p', {}, `${approval.executionId} · ${approval.state}`), comment.element, data.element],
      confirmLabel: verdict === 'approve' ? 'Approve' : 'Reject',
      danger: verdict === 'reject',
      onConfirm: async () => {
        const found = data.read();
        if (found.problem) return `Data: ${found.problem}`;
        try {
          await api.decide(approval.approvalId, verdict, { comment: comment.input.value, data: found.value });
        } catch (error) {
          page.fail(error, { action: true });
        }
        await guarded();
        return undefined;
      },
    });
  }

  function row(approval) {
    const open = approval.status === 'PENDING';
    return h('tr', {
      'data-testid': 'approval-row', 'data-approval-id': approval.approvalId, 'data-status': approval.status,
    },
    h('td', {}, when(approval.createdAt)),
    h('td', {}, h('a', { href: href(`/executions/${segment(approval.executionId)}`) }, approval.executionId)),
    h('td', {}, approval.state), h('td', {}, approval.message || ''), h('td', {}, badge(approval.status)),
    h('td', {}, h('button', { type: 'button', 'data-testid': 'approve', class: 'primary', disabled: !open,
      onclick: () => decide(approval, 'approve') }, 'Approve'), ' ',
    h('button', { type: 'button', 'data-testid': 'reject', class: 'danger', disabled: !open,
      onclick: () => decide(approval, 'reject') }, 'Reject')));
  }

  choose.addEventListener('change', () => {
    status = choose.value;
    setQuery({ status });
    guarded();
  });
  guarded();
  return poll(load, 5000);
}
