// How the console words what the API refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ApiError } from '../src/api.js';

test('a 403 reads as not allowed, a 409 as a conflict, anything else with its code', () => {
  const denied = new ApiError(403, 'Error', 'User: arn:aws:iam::1:user/viewer is not authorized');
  assert.match(denied.words, /^Not allowed: /);
  assert.match(new ApiError(409, 'Conflict', 'cannot resume an execution that is RUNNING').words,
    /^Conflict: cannot resume/);
  assert.equal(new ApiError(404, 'NotFound', "no execution 'x'").words, "404 NotFound: no execution 'x'");
  assert.match(new ApiError(0, 'NetworkError', 'Failed to fetch').words, /did not answer/);
});
