import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';

test('key order does not change the canonical form', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } }), canonicalJson({ a: { c: null, d: [1, 'x'] }, b: 1 }));
  assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
});
