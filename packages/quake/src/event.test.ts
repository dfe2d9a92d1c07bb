import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from './event.ts';

test('a valid event is parsed from strings or numbers', () => {
  const { event, errors } = parseEvent({ lon: '102.08', lat: 29.59, depthKm: '16', magnitude: 6.8, strikeDeg: '160', time: '2022-09-05T12:52:18+08:00' });
  assert.deepEqual(errors, []);
  assert.deepEqual(event, { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 160, time: '2022-09-05T04:52:18.000Z' });
});

test('every bad field is named with the reason', () => {
  const { event, errors } = parseEvent({ lon: 'east', lat: 95, magnitude: 15, time: 'yesterday' });
  assert.equal(event, null);
  const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  assert.match(byField.lon, /must be a number/);
  assert.match(byField.lat, /between 0 and 56, got 95/);
  assert.match(byField.depthKm, /required/);
  assert.match(byField.magnitude, /between 3 and 9.5, got 15/);
  assert.match(byField.time, /ISO 8601/);
});

test('infinite and empty values are rejected, strike is optional', () => {
  assert.equal(parseEvent({ lon: Infinity, lat: 30, depthKm: 10, magnitude: 6 }).errors[0].field, 'lon');
  assert.deepEqual(parseEvent({ lon: 100, lat: 30, depthKm: 10, magnitude: 6, strikeDeg: '' }).errors, []);
});
