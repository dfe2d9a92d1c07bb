/** Reading the body of POST /api/v1/readings: a JSON array, or NDJSON (one object a line). */
import { ValidationError } from '@anlan/core';

/** One item of the batch as received; `error` when the item could not be read at all. */
export interface RawReading {
  index: number;
  item: unknown;
  error?: string;
}

export function parseJsonBatch(text: string): RawReading[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ValidationError([{ field: 'body', message: `not valid JSON: ${(err as Error).message}` }], 'The body is not valid JSON');
  }
  if (!Array.isArray(body)) {
    throw new ValidationError([{ field: 'body', message: 'must be an array of readings [{ "sensor", "ts", "value" }, …] (or NDJSON with content type application/x-ndjson)' }]);
  }
  return body.map((item, index) => ({ index, item }));
}

/** Lines are counted from 0; blank lines are skipped but counted; a line that is not JSON is rejected alone. */
export function parseNdjsonBatch(text: string): RawReading[] {
  const out: RawReading[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    try {
      out.push({ index, item: JSON.parse(line) });
    } catch (err) {
      out.push({ index, item: line.length > 200 ? `${line.slice(0, 200)}…` : line, error: `line ${index} is not JSON: ${(err as Error).message}` });
    }
  }
  return out;
}

// ISO 8601 with a date, a time and an offset (a time without one would be read in the server's zone).
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds of an ISO 8601 string with offset, or of a number of epoch milliseconds; null when neither. */
export function parseTimestamp(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? Math.round(ts) : null;
  if (typeof ts !== 'string' || !ISO.test(ts)) return null;
  const ms = Date.parse(ts.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}
