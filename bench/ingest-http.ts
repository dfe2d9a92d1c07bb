// HTTP batch ingestion benchmark: a test server (embedded database by default, PostgreSQL with
// ANLAN_TEST_DATABASE_URL), N sensors inserted directly, C clients posting batches of B readings
// for S seconds; then a baseline of one INSERT per reading on the same database.
//   node --import tsx bench/ingest-http.ts [--sensors 10000] [--batch 5000] [--clients 4] [--seconds 20]
// Needs the test template: node --import tsx tests/setup/prepare.ts
import { parseArgs } from 'node:util';
import { testTargets } from '../tests/helpers/targets.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { Client } from '../tests/helpers/http.ts';

const { values } = parseArgs({
  options: { sensors: { type: 'string', default: '10000' }, batch: { type: 'string', default: '5000' }, clients: { type: 'string', default: '4' }, seconds: { type: 'string', default: '20' } },
});
const N = Number(values.sensors);
const B = Number(values.batch);
const C = Number(values.clients);
const S = Number(values.seconds);
const targets = testTargets();
const target = process.env.ANLAN_TEST_DATABASE_URL ? targets[1] : targets[0];

const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const s = await startTestServer({ target });
try {
  const db = s.anlan.ctx.db;
  const point = await db.query<{ id: number }>(
    `INSERT INTO monitoring_points (name, type, region_code, lon, lat, created_by_name, updated_by_name) VALUES ('bench', 'rain_gauge', '513322', 102.234, 29.915, 'bench', 'bench') RETURNING id`,
  );
  await db.query(
    `INSERT INTO monitoring_sensors (code, point_id, type, quantity, unit, sampling_interval_sec, range_min, range_max, thresholds, created_by_name, updated_by_name)
     SELECT 'B-' || g, $1, 'rainfall', 'rainfall', 'mm', 60, 0, 300, '{"direction":"above"}', 'bench', 'bench' FROM generate_series(1, $2) g`,
    [point.rows[0].id, N],
  );
  const admin = await Client.login(s.url, 'admin', s.adminPassword);
  const token = (await admin.post('/api/v1/tokens', { name: 'bench', regionCode: '513322' })).body.token as string;

  // Each client walks its own slice of time, so readings never collide: one reading per sensor per second.
  const start = Date.now() - 6 * 24 * 3600 * 1000;
  let seq = 0;
  const makeBatch = () => {
    const items = [];
    for (let i = 0; i < B; i++, seq++) items.push({ sensor: `B-${(seq % N) + 1}`, ts: start + Math.floor(seq / N) * 1000, value: (seq % 3000) / 10 });
    return JSON.stringify(items);
  };
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let peakRss = 0;
  const deadline = Date.now() + S * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (Date.now() < deadline) {
        const body = makeBatch();
        const q0 = performance.now();
        const res = await fetch(`${s.url}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        const r = (await res.json()) as { accepted: number; rejected: unknown[] };
        latencies.push(performance.now() - q0);
        if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(r)}`);
        accepted += r.accepted;
        rejected += r.rejected.length;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const httpRate = accepted / elapsed;
  console.log(`target ${target.name}: ${N} sensors, ${C} clients × batches of ${B} for ${elapsed.toFixed(1)} s`);
  console.log(`HTTP batch: ${accepted} accepted, ${rejected} rejected, ${httpRate.toFixed(0)} readings/s; request p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (server and clients share the process)`);

  // Baseline: one INSERT per reading, one transaction per batch of B, same DB, no HTTP.
  const baseDeadline = Date.now() + Math.min(S, 10) * 1000;
  let baseCount = 0;
  const b0 = performance.now();
  // Half seconds: the same months (partitions) as the HTTP run, never its instants.
  const baseStart = start + 500;
  let bseq = 0;
  while (Date.now() < baseDeadline) {
    await db.transaction(async (tx) => {
      for (let i = 0; i < B && Date.now() < baseDeadline; i++, bseq++) {
        await tx.query('INSERT INTO monitoring_readings (sensor_id, ts, value) VALUES ((SELECT id FROM monitoring_sensors WHERE code = $1), $2, $3) ON CONFLICT DO NOTHING', [
          `B-${(bseq % N) + 1}`, new Date(baseStart + Math.floor(bseq / N) * 1000), 1,
        ]);
        baseCount++;
      }
    });
  }
  const baseRate = baseCount / ((performance.now() - b0) / 1000);
  console.log(`baseline one INSERT per reading (no latest, no rollups, no HTTP): ${baseRate.toFixed(0)} readings/s`);
  console.log(`ratio HTTP batch / baseline: ${(httpRate / baseRate).toFixed(1)}×`);
} finally {
  await s.close();
}
