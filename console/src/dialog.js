// Confirmations as dialogs in the page. A dialog that picks states of the graph is not
// modal, so the graph behind it can still be clicked.

import { h } from './dom.js';

/**
 * Open a dialog with `fields` (elements) and a confirm button. `confirm` gets called on
 * confirmation; it may return false (a problem shown in the dialog) to keep it open.
 */
export function openDialog({ title, fields = [], confirmLabel = 'Confirm', danger = false,
  modal = true, onConfirm, onClose }) {
  const problem = h('p', { class: 'dialog-problem', role: 'alert' });
  const confirm = h('button', {
    type: 'submit', 'data-testid': 'confirm', class: danger ? 'danger' : 'primary',
  }, confirmLabel);
  const cancel = h('button', { type: 'button', 'data-testid': 'dialog-cancel' }, 'Cancel');
  const form = h('form', { method: 'dialog' }, h('h2', {}, title), fields, problem,
    h('div', { class: 'dialog-buttons' }, cancel, confirm));
  const dialog = h('dialog', {
    'data-testid': 'dialog', class: modal ? 'modal' : 'docked', 'aria-label': title,
  }, form);
  const close = () => {
    dialog.close();
    dialog.remove();
    if (onClose) onClose();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    problem.textContent = '';
    try {
      const outcome = await onConfirm();
      if (typeof outcome === 'string') problem.textContent = outcome;
      else close();
    } finally {
      confirm.disabled = false;
    }
  });
  document.body.append(dialog);
  if (modal) dialog.showModal();
  else dialog.show();
  const first = form.querySelector('input, textarea, select');
  (first || confirm).focus();
  return { dialog, close };
}

/** A labelled text field. */
export function textField(label, attributes = {}) {
  const input = h('input', { type: 'text', ...attributes });
  return { element: h('label', { class: 'field' }, label, input), input };
}
