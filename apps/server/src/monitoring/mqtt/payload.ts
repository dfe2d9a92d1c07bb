/**
 * MQTT topics and payloads → the ingest's raw readings. Pure: the broker and the bridge share it.
 *
 * Topics: `readings/<sensor code>` (the payload's readings are that sensor's) or `readings` (each
 * reading names its sensor), after an optional prefix (external brokers only).
 *
 * Payloads on `readings/<code>`: JSON `{ "ts", "value" }` or an array of them; or compact text,
 * one reading a line: `ts,value` or a bare `value` (the arrival time). On `readings`: JSON
 * `{ "sensor", "ts", "value" }` or an array of them, or lines `sensor,ts,value` / `sensor,value`.
 * `ts` follows the HTTP rules (ISO 8601 with an offset, or epoch milliseconds); a JSON reading
 * without `ts` also takes the arrival time.
 */
import type { RawReading } from '../ingest/parse.ts';

export const READINGS_TOPIC = 'readings';
/** Larger payloads are quarantined unread (`malformed`). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** A topic the readings ingest listens on; `sensor` null for the bare `readings` topic. */
export interface ReadingsTopic {
  sensor: string | null;
}

/** The sensor a topic names, or null when the topic is not a readings topic at all. */
export function parseTopic(topic: string, prefix = ''): ReadingsTopic | null {
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length);
  if (rest === READINGS_TOPIC) return { sensor: null };
  if (!rest.startsWith(`${READINGS_TOPIC}/`)) return null;
  const code = rest.slice(READINGS_TOPIC.length + 1);
  // Deeper levels (readings/X/ack, readings/X/status) are not readings: refusing them keeps a
  // device's other traffic out of the quarantine.
  if (code.length === 0 || code.includes('/')) return null;
  return { sensor: code };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH_MS = /^-?\d+(?:\.\d+)?$/;
const SHOWN = 200;

// PostgreSQL text cannot hold U+0000, and what a device sends ends up in the quarantine as text.
const clean = (v: unknown) => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v);
const shown = (text: string) => clean(text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text) as string;

function malformed(index: number, sensor: string | null, raw: string, error: string): RawReading {
  // The sensor rides along so that the quarantine can name it where the ingest records it.
  return { index, item: { sensor: clean(sensor ?? undefined), raw: shown(raw) }, error: clean(error) as string };
}

/** The readings of one message; each unreadable part becomes a `malformed` item. */
export function parsePayload(topic: ReadingsTopic, payload: Uint8Array, arrivedAtMs: number): RawReading[] {
  const where = topic.sensor === null ? READINGS_TOPIC : `${READINGS_TOPIC}/${topic.sensor}`;
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return [malformed(0, topic.sensor, `<${payload.byteLength} bytes>`, `payload of ${payload.byteLength} bytes on ${where} is over the limit of ${MAX_PAYLOAD_BYTES} bytes`)];
  }
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8').trim();
  if (text === '') return [malformed(0, topic.sensor, '', `empty payload on ${where}`)];
  const first = text[0];
  return first === '{' || first === '[' ? fromJson(topic, text, where, arrivedAtMs) : fromLines(topic, text, where, arrivedAtMs);
}

function fromJson(topic: ReadingsTopic, text: string, where: string, arrivedAtMs: number): RawReading[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return [malformed(0, topic.sensor, text, `payload on ${where} is not JSON: ${(err as Error).message}`)];
  }
  const list = Array.isArray(body) ? body : [body];
  return list.map((element, index) => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      return malformed(index, topic.sensor, JSON.stringify(element) ?? String(element), `element ${index} on ${where} is not an object { "ts", "value" }`);
    }
    const o = element as Record<string, unknown>;
    const ts = o.ts === undefined ? arrivedAtMs : clean(o.ts);
    if (topic.sensor === null) return { index, item: { sensor: clean(o.sensor), ts, value: clean(o.value) } };
    if (o.sensor !== undefined && (typeof o.sensor !== 'string' || o.sensor.toLowerCase() !== topic.sensor.toLowerCase())) {
      return malformed(index, topic.sensor, JSON.stringify(o), `element ${index} names sensor ${JSON.stringify(o.sensor)} but was published to ${where}`);
    }
    return { index, item: { sensor: clean(topic.sensor), ts, value: clean(o.value) } };
  });
}

function fromLines(topic: ReadingsTopic, text: string, where: string, arrivedAtMs: number): RawReading[] {
  const out: RawReading[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    let sensor = topic.sensor;
    if (sensor === null) {
      // On the bare topic each line starts with its sensor.
      if (fields.length < 2) {
        out.push(malformed(index, null, line, `line ${index} on ${where} is not "sensor,ts,value" or "sensor,value"`));
        continue;
      }
      sensor = fields.shift()!;
    }
    if (fields.length > 2 || !NUMBER.test(fields[fields.length - 1])) {
      const form = topic.sensor === null ? '"sensor,ts,value" or "sensor,value"' : '"ts,value" or a bare number';
      out.push(malformed(index, sensor, line, `line ${index} on ${where} is not ${form} (JSON must start with { or [)`));
      continue;
    }
    const value = Number(fields[fields.length - 1]);
    const ts = fields.length === 2 ? (EPOCH_MS.test(fields[0]) ? Number(fields[0]) : clean(fields[0])) : arrivedAtMs;
    out.push({ index, item: { sensor: clean(sensor), ts, value } });
  }
  return out;
}
