// What the execution did at each state, read from the inspection document alone.

/** How a token's status reads on the graph. */
const TOKEN_WORDS = {
  LEASED: 'running', READY: 'ready', WAITING: 'waiting', PARKED: 'parked',
};

export const MARKS = {
  completed: '✓', current: '▶', failed: '✗', pending: '○', unreached: '–',
};

/**
 * Each state's status (`completed`, `current`, `failed`, `pending`, `unreached`) and the
 * words that say it, for the states named in `names`.
 */
export function statuses(names, doc) {
  const found = new Map();
  const set = (name, status, words) => {
    if (!found.has(name)) found.set(name, { status, words });
  };
  for (const current of doc.currentStates || []) {
    const branches = current.branches;
    const words = branches
      ? `${branches.finished}/${branches.total} done, ${branches.started - branches.finished} running`
        + (branches.failed ? `, ${branches.failed} failed` : '')
      : TOKEN_WORDS[current.status] || String(current.status).toLowerCase();
    set(current.name, 'current', doc.status === 'PAUSED' && !branches ? 'parked' : words);
  }
  for (const failed of doc.failedStates || []) set(failed.name, 'failed', 'failed');
  const done = new Map();
  for (const state of doc.completedStates || []) {
    done.set(state.name, (done.get(state.name) || 0) + 1);
  }
  for (const [name, times] of done) set(name, 'completed', times > 1 ? `done ×${times}` : 'done');
  for (const name of doc.pendingStates || []) set(name, 'pending', 'pending');
  for (const name of names) set(name, 'unreached', 'not reached');
  return found;
}
