// The console's entry: the pages by path, and who the console says it is.

import { setUser, user } from './api.js';
import { h } from './dom.js';
import { approvalsPage } from './pages/approvals.js';
import { deadLettersPage } from './pages/deadLetters.js';
import { executionPage } from './pages/execution.js';
import { executionsPage } from './pages/executions.js';
import { machinePage, machinesPage } from './pages/machines.js';
import { openapiPage } from './pages/openapi.js';
import { start } from './router.js';

const PAGES = [
  [/^\/?$/, executionsPage, 'executions'],
  [/^\/executions\/([^/]+)\/?$/, executionPage, 'executions'],
  [/^\/state-machines\/?$/, machinesPage, 'state-machines'],
  [/^\/state-machines\/([^/]+)\/?$/, machinePage, 'state-machines'],
  [/^\/approvals\/?$/, approvalsPage, 'approvals'],
  [/^\/dead-letters\/?$/, deadLettersPage, 'dead-letters'],
  [/^\/api\/?$/, openapiPage, 'api'],
];

function who() {
  const input = h('input', {
    type: 'text', value: user(), 'aria-label': 'your name, recorded with what you do',
    'data-testid': 'user', maxlength: 256, size: 12,
  });
  input.addEventListener('change', () => setUser(input.value.trim() || 'console'));
  return h('label', { class: 'who', title: 'Sent as X-Segue-User to a local stack; a deployed '
    + 'stack records your signed IAM identity instead' }, 'as ', input);
}

document.getElementById('who').append(who());
start(document.getElementById('main'), PAGES);
