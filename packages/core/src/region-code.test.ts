import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scopePrefix, isWithinScope, levelOfCode, isRegionCodeShape, NATIONAL_CODE } from './region-code.ts';

test('scope prefix strips trailing zero groups', () => {
  assert.equal(scopePrefix('510000'), '51');
  assert.equal(scopePrefix('513300'), '5133');
  assert.equal(scopePrefix('513322'), '513322');
  assert.equal(scopePrefix('513322100'), '513322100');
  assert.equal(scopePrefix('513322100000'), '513322100');
  assert.equal(scopePrefix('513322000000'), '513322');
  assert.equal(scopePrefix(NATIONAL_CODE), '');
});

test('scope containment', () => {
  assert.ok(isWithinScope('513322', '513300'));
  assert.ok(isWithinScope('513322101', '513322'));
  assert.ok(!isWithinScope('511322', '513300'));
  assert.ok(!isWithinScope('513300', '513322'));
  assert.ok(isWithinScope('110101', NATIONAL_CODE));
});

test('levels and shapes', () => {
  assert.equal(levelOfCode('510000'), 'province');
  assert.equal(levelOfCode('513300'), 'prefecture');
  assert.equal(levelOfCode('513322'), 'county');
  assert.equal(levelOfCode('513322100'), 'township');
  assert.ok(!isRegionCodeShape('51332'));
  assert.ok(!isRegionCodeShape("513322' OR 1=1"));
  assert.throws(() => scopePrefix('abc'));
});
