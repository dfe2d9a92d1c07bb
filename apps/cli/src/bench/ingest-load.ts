/**
 * The load generator of `anlan bench ingest`, run in its own process so that building and sending
 * the readings does not share the server's event loop: C clients post batches of B readings over
 * HTTP for S seconds. Every reading carries the time it was made (as a device's would, so nothing
 * looks offline), strictly later in each round than in the one before; one reading in
 * `crossEvery` is a threshold crossing (followed by a return to normal in the next round), so the
 * server raises and clears alarms at a steady rate under the load.
 *
 * argv[2]: JSON { url, token, sensors, seconds, batch, clients, crossEvery, prefix, normal, crossing }
 * stdout: one JSON line { sent, accepted, rejected, seconds, requestP50Ms, requestP99Ms, crossings }
 */
interface LoadSpec {
  url: string;
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
    let value = (spec.normal * ((seq * 7919) % 1000)) / 1000;
    if (seq % spec.crossEvery === spec.crossEvery - 1) {
      value = spec.crossing;
      crossings++;
      crossedLastRound.add(sensor);
    } else if (crossedLastRound.delete(sensor)) {
      value = 0;
    }
    parts.push(`{"sensor":"${spec.prefix}${sensor + 1}","ts":${ts},"value":${value}}`);
  }
  return `[${parts.join(',')}]`;
}

const latencies: number[] = [];
let sent = 0;
let accepted = 0;
let rejected = 0;
const deadline = Date.now() + spec.seconds * 1000;
const t0 = performance.now();
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
