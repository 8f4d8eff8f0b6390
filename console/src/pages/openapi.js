// The HTTP API as its OpenAPI document describes it (GET /openapi.json): each operation
// with its parameters, body fields and answers, readable without another tool.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { frame } from '../page.js';

const REF = '#/components/schemas/';

function schemaOf(document, schema) {
  const ref = schema && schema.$ref;
  return ref && ref.startsWith(REF) ? document.components.schemas[ref.slice(REF.length)] : schema;
}

function typeOf(document, schema) {
  const found = schemaOf(document, schema) || {};
  if (found.enum) return found.enum.join(' | ');
  if (found.anyOf) return found.anyOf.map((s) => typeOf(document, s)).join(' or ');
  if (found.type === 'array') return `[${typeOf(document, found.items)}]`;
  return found.type || found.title || 'any';
}

function fields(document, schema) {
  const found = schemaOf(document, schema) || {};
  const required = new Set(found.required || []);
  return Object.entries(found.properties || {}).map(([name, property]) =>
    h('li', {}, h('code', {}, name), required.has(name) ? '' : '?', ` ${typeOf(document, property)}`));
}

function operation(document, path, method, described) {
  const body = described.requestBody
    ? Object.values(described.requestBody.content)[0].schema : null;
  const parameters = (described.parameters || []).map((p) =>
    h('li', {}, h('code', {}, p.name), ` (${p.in}) ${typeOf(document, p.schema)}`,
      p.description ? ` - ${p.description}` : ''));
  const answers = Object.entries(described.responses).map(([status, answer]) =>
    h('li', {}, h('strong', {}, status), ` ${answer.description}`,
      h('ul', {}, fields(document, Object.values(answer.content || {})[0]?.schema))));
  return h('section', { class: 'operation', 'data-testid': 'api-operation', id: described.operationId },
    h('h2', {}, h('code', {}, `${method.toUpperCase()} ${path}`), ` ${described.summary}`),
    parameters.length ? [h('h3', {}, 'Parameters'), h('ul', {}, parameters)] : '',
    body ? [h('h3', {}, 'Body'), h('ul', {}, fields(document, body))] : '',
    h('h3', {}, 'Answers'), h('ul', {}, answers));
}

export function openapiPage(root) {
  const page = frame(root, 'HTTP API');
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading the OpenAPI document...'));
  page.body.append(h('p', {}, 'The machine-readable document: ',
    h('a', { href: '/openapi.json' }, '/openapi.json'), ' (OpenAPI 3.1).'), list);
  api.openapi().then((document) => {
    replace(list, Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, described]) => operation(document, path, method, described))));
  }).catch((error) => page.fail(error));
}
