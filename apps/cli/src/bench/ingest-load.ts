/**
 * The load generator of `anlan bench ingest`, run in its own process so that building and sending
 * the readings does not share the server's event loop: over HTTP, C clients post batches of B
 * readings for S seconds; over MQTT, C connections publish one reading a message (as devices do),
 * QoS 1, each acknowledged only once durable. Every reading carries the time it was made (as a device's would, so nothing
 * looks offline), strictly later in each round than in the one before; one reading in
 * `crossEvery` is a threshold crossing (followed by a return to normal in the next round), so the
 * server raises and clears alarms at a steady rate under the load.
 *
 * argv[2]: JSON { transport, url, mqttUrl, token, sensors, seconds, batch, clients, crossEvery, prefix, normal, crossing }
 * stdout: one JSON line { sent, accepted, rejected, seconds, requestP50Ms, requestP99Ms, crossings }
 */
import { publishLoad } from '@anlan/server/monitoring/mqtt/load';

interface LoadSpec {
  transport: 'http' | 'mqtt';
  url: string;
  mqttUrl: string | null;
  token: string;
  sensors: number;
  seconds: number;
  batch: number;
  clients: number;
  crossEvery: number;
  prefix: string;
  normal: number;
  crossing: number;
}

const spec = JSON.parse(process.argv[2]) as LoadSpec;
let seq = 0;
let crossings = 0;
let roundTs = 0;
const crossedLastRound = new Set<number>();

function nextBatch(): string {
  const parts: string[] = [];
  for (let i = 0; i < spec.batch; i++, seq++) {
    const sensor = seq % spec.sensors;
    if (sensor === 0) roundTs = Math.max(Date.now(), roundTs + 1);
    const ts = roundTs;
    const value = valueOf(seq);
    parts.push(`{"sensor":"${spec.prefix}${sensor + 1}","ts":${ts},"value":${value}}`);
  }
  return `[${parts.join(',')}]`;
}

const valueOf = (seqNo: number) => {
  const sensor = seqNo % spec.sensors;
  if (seqNo % spec.crossEvery === spec.crossEvery - 1) {
    crossings++;
    crossedLastRound.add(sensor);
    return spec.crossing;
  }
  return crossedLastRound.delete(sensor) ? 0 : (spec.normal * ((seqNo * 7919) % 1000)) / 1000;
};

/** MQTT: rounds of `chunk` readings over the next sensors in turn, each round stamped with its own time. */
async function mqttLoad(): Promise<void> {
  const chunk = Math.min(spec.sensors, 20_000);
  const t0 = performance.now();
  const latencies: number[] = [];
  let acked = 0;
  let sent = 0;
  let offset = 0;
  while (Date.now() < deadline) {
    const codes = Array.from({ length: chunk }, (_, i) => `${spec.prefix}${((offset + i) % spec.sensors) + 1}`);
    const base = seq;
    const q0 = performance.now();
    const r = await publishLoad({ url: spec.mqttUrl!, token: spec.token, sensors: codes, readings: chunk, connections: spec.clients, startMs: Math.max(Date.now(), roundTs + 1), stepMs: 1, value: (i) => valueOf(base + i) });
    roundTs = Date.now();
    latencies.push(performance.now() - q0);
    if (r.errors.length > 0) throw new Error(`MQTT load: ${r.errors.join('; ')}`);
    seq += chunk;
    offset = (offset + chunk) % spec.sensors;
    sent += chunk;
    acked += r.ackedReadings;
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
  process.stdout.write(`${JSON.stringify({ sent, accepted: acked, rejected: sent - acked, seconds, requestP50Ms: pct(0.5), requestP99Ms: pct(0.99), crossings })}\n`);
}

const latencies: number[] = [];
let sent = 0;
let accepted = 0;
let rejected = 0;
const deadline = Date.now() + spec.seconds * 1000;
const t0 = performance.now();
if (spec.transport === 'mqtt') {
  await mqttLoad();
  process.exit(0);
}
await Promise.all(
  Array.from({ length: spec.clients }, async () => {
    while (Date.now() < deadline) {
      const body = nextBatch();
      const q0 = performance.now();
      const res = await fetch(`${spec.url}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' }, body });
      const text = await res.text();
      latencies.push(performance.now() - q0);
      if (res.status !== 200) throw new Error(`POST /api/v1/readings answered ${res.status}: ${text.slice(0, 300)}`);
      const r = JSON.parse(text) as { accepted: number; rejected: unknown[] };
      sent += spec.batch;
      accepted += r.accepted;
      rejected += r.rejected.length;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
process.stdout.write(`${JSON.stringify({ sent, accepted, rejected, seconds, requestP50Ms: pct(0.5), requestP99Ms: pct(0.99), crossings })}\n`);
