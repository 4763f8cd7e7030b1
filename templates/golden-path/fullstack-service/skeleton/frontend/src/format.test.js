import assert from 'node:assert/strict';
import { it } from 'node:test';
import { statusText } from './format.js';

it('formats the hello response', () => {
  assert.equal(statusText({ service: 'svc', message: 'hello' }), 'svc says hello');
});

it('reports errors', () => {
  assert.match(statusText(new Error('HTTP 502')), /unreachable: HTTP 502/);
  assert.match(statusText(null), /Unexpected/);
});
