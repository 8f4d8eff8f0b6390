// The only caller of fetch: segue's HTTP API on the origin the console came from.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** What went wrong, in words an operator can act on. */
  get words() {
    if (this.status === 403) return `Not allowed: your identity may not do this (${this.message})`;
    if (this.status === 409) return `Conflict: ${this.message}`;
    if (this.status === 0) return `The API did not answer: ${this.message}`;
    return `${this.status} ${this.code}: ${this.message}`;
  }
}

const USER_KEY = 'segue.user';

/** Who the console says it is on a local stack (the CLI sends the OS user). */
export function user() {
  return localStorage.getItem(USER_KEY) || 'console';
}

export function setUser(name) {
  localStorage.setItem(USER_KEY, name);
}

const segment = (text) => encodeURIComponent(text);

async function call(method, path, { query, body } = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const url = path + (params.size ? `?${params}` : '');
  const headers = { 'X-Segue-User': user() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'NetworkError', String(error.message || error));
  }
  const text = await response.text();
  let document = null;
  try {
    document = text ? JSON.parse(text) : null;
  } catch {
    document = { message: text.slice(0, 300) };
  }
  if (!response.ok) {
    const message = (document && (document.message || document.Message)) || response.statusText;
    throw new ApiError(response.status, (document && document.error) || 'Error', message);
  }
  return document;
}

export const api = {
  executions: (query) => call('GET', '/executions', { query }),
  execution: (id) => call('GET', `/executions/${segment(id)}`),
  history: (id, query) => call('GET', `/executions/${segment(id)}/history`, { query }),
  checkpoints: (id) => call('GET', `/executions/${segment(id)}/checkpoints`),
  checkpoint: (id, version) => call('GET', `/executions/${segment(id)}/checkpoints/${version}`),
  act: (id, action, body) => call('POST', `/executions/${segment(id)}/${action}`, { body }),
  start: (body) => call('POST', '/executions', { body }),
  stateMachines: () => call('GET', '/state-machines'),
  stateMachine: (name) => call('GET', `/state-machines/${segment(name)}`),
  approvals: (status) => call('GET', '/approvals', { query: { status } }),
  decide: (id, verdict, body) => call('POST', `/approvals/${segment(id)}/${verdict}`, { body }),
  deadLetters: (queue) => call('GET', `/dead-letters/${segment(queue)}`),
  openapi: () => call('GET', '/openapi.json'),
  redriveDeadLetters: (queue, messageIds) =>
    call('POST', `/dead-letters/${segment(queue)}/redrive`, { body: { messageIds } }),
};
