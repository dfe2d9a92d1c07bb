/**
 * A load generator for MQTT ingestion (`anlan bench ingest --transport mqtt`): K connections
 * publish N readings as fast as the broker acknowledges them.
 */
import { connectAsync, type MqttClient } from 'mqtt';

export interface MqttLoadOptions {
  /** `mqtt://127.0.0.1:1883` */
  url: string;
  /** The API token devices log in with (the password); the user name is `load-<n>`. */
  token: string;
  /** Sensor codes to publish for, in turn; each must exist in the token's region. */
  sensors: string[];
  /** Readings in all. */
  readings: number;
  /** Connections publishing side by side (default 8). */
  connections?: number;
  /** Readings in one message (default 1: the usual device). */
  perMessage?: number;
  format?: 'json' | 'compact';
  qos?: 0 | 1;
  /** Messages a connection keeps unacknowledged before it waits (default 200). */
  window?: number;
  /** Time of the first reading; each sensor's readings are `stepMs` apart (default: so that the last is a minute ago). */
  startMs?: number;
  stepMs?: number;
  /** Value of reading i (default: i mod 100 / 10, inside every catalogue range). */
  value?: (i: number) => number;
}

export interface MqttLoadResult {
  messages: number;
  /** Messages the broker acknowledged (QoS 1: durable); with QoS 0, those written to the socket. */
  acked: number;
  readings: number;
  ackedReadings: number;
  elapsedMs: number;
  readingsPerSecond: number;
  errors: string[];
}

export async function publishLoad(opts: MqttLoadOptions): Promise<MqttLoadResult> {
  const k = Math.max(1, opts.connections ?? 8);
  const per = Math.max(1, opts.perMessage ?? 1);
  const qos = opts.qos ?? 1;
  const window = Math.max(1, opts.window ?? 200);
  const step = opts.stepMs ?? 1;
  const s = opts.sensors.length;
  if (s === 0) throw new Error('publishLoad: no sensors');
  // Readings are taken sensor by sensor in turn; a message holds `per` readings of one sensor.
  const messages = Math.ceil(opts.readings / per);
  const perSensor = Math.ceil(messages / s) * per;
  const start = opts.startMs ?? Date.now() - 60_000 - perSensor * step;
  const valueOf = opts.value ?? ((i: number) => (i % 100) / 10);

  const message = (m: number): { topic: string; payload: string; count: number } => {
    const sensor = opts.sensors[m % s];
    const round = Math.floor(m / s);
    const count = Math.min(per, opts.readings - m * per);
    const rows: [number, number][] = [];
    for (let j = 0; j < count; j++) rows.push([start + (round * per + j) * step, valueOf(m * per + j)]);
    const payload =
      opts.format === 'compact'
        ? rows.map(([ts, v]) => `${ts},${v}`).join('\n')
        : per === 1
          ? JSON.stringify({ ts: rows[0][0], value: rows[0][1] })
          : JSON.stringify(rows.map(([ts, value]) => ({ ts, value })));
    return { topic: `readings/${sensor}`, payload, count };
  };

  const errors: string[] = [];
  const clients: MqttClient[] = [];
  try {
    for (let c = 0; c < k; c++) {
      clients.push(await connectAsync(opts.url, { username: `load-${c}`, password: opts.token, clean: true, reconnectPeriod: 0, protocolVersion: 4 }));
    }
    let acked = 0;
    let ackedReadings = 0;
    const began = performance.now();
    await Promise.all(
      clients.map(
        (client, c) =>
          new Promise<void>((resolve) => {
            let next = c;
            let open = 0;
            const pump = () => {
              while (open < window && next < messages) {
                const { topic, payload, count } = message(next);
                next += k;
                open += 1;
                client.publish(topic, payload, { qos }, (err) => {
                  open -= 1;
                  if (err) {
                    if (errors.length < 20) errors.push(err.message);
                  } else {
                    acked += 1;
                    ackedReadings += count;
                  }
                  if (next >= messages && open === 0) resolve();
                  else pump();
                });
              }
              if (next >= messages && open === 0) resolve();
            };
            client.once('close', () => {
              if (next < messages || open > 0) {
                if (errors.length < 20) errors.push(`connection ${c} closed`);
                resolve();
              }
            });
            pump();
          }),
      ),
    );
    const elapsedMs = performance.now() - began;
    return { messages, acked, readings: opts.readings, ackedReadings, elapsedMs, readingsPerSecond: elapsedMs > 0 ? (ackedReadings * 1000) / elapsedMs : 0, errors };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  }
}
