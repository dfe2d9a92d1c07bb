import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { NATIONAL_CODE, NATIONAL_SCOPE } from '@anlan/core';
import { createToken, startAnlan, SYSTEM_ACTOR, type RunningAnlan } from '@anlan/server';
import { ProgressBar, stageLabel } from '../progress.ts';
import { UsageError } from '../options.ts';

export const BENCH_HELP = `anlan bench ingest [--sensors 700000] [--seconds 30] [--transport http|mqtt] [--json]
                   [--batch 5000] [--clients 4] [--baseline-seconds 5] [--cross-every 20000]

Starts a fresh embedded Anlan in a temporary directory (no demo data), registers N sensors
(combustible gas, %LEL, thresholds 10/20/25/50, spread over every county), and drives readings at
it from a separate load process for S seconds: over HTTP (C clients posting batches of B) or MQTT
(C connections to the embedded broker on a free port, one reading a message, QoS 1).
Every reading goes through validation, the rule engine and the durable log; one in --cross-every
crosses the red threshold and returns to normal in the sensor's next round, so alarms are raised
and cleared throughout. Then a baseline: one plain INSERT per reading into the same readings
table of the same database, for --baseline-seconds.

Prints one JSON line on stdout:
  { sensors, transport, readingsPerSecond, p99AlarmMs, baselineReadingsPerSecond, ratio, rssMb, … }
readingsPerSecond counts readings answered as accepted during the run; p99AlarmMs is the 99th
percentile of the time from a crossing batch's arrival at the ingest to its alarm.raised event
(over MQTT the broker's batching wait of at most 5 ms comes before that); rssMb the peak
resident memory of the server process (the load process not included). Also: drainSeconds (the
time the database writer needed after the load to catch up), alarmsRaised, requestP99Ms,
registerSeconds, startSeconds. Progress goes to stderr.`;

const LOAD_SCRIPT = fileURLToPath(new URL('../bench/ingest-load.ts', import.meta.url));

function intOption(flag: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

const pct = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const say = (line: string) => process.stderr.write(`${line}\n`);

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (!what || what === '--help' || what === '-h') {
    console.log(BENCH_HELP);
    return what ? 0 : 2;
  }
  if (what !== 'ingest') throw new UsageError(`unknown benchmark "${what}" (available: ingest)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      sensors: { type: 'string' },
      seconds: { type: 'string' },
      transport: { type: 'string' },
      json: { type: 'boolean' },
      batch: { type: 'string' },
      clients: { type: 'string' },
      'baseline-seconds': { type: 'string' },
      'cross-every': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(BENCH_HELP);
    return 0;
  }
  const sensors = intOption('--sensors', values.sensors, 700_000, 100, 5_000_000);
  const seconds = intOption('--seconds', values.seconds, 30, 1, 3600);
  const batch = intOption('--batch', values.batch, 5000, 1, 100_000);
  const clients = intOption('--clients', values.clients, 4, 1, 256);
  const baselineSeconds = intOption('--baseline-seconds', values['baseline-seconds'], 5, 1, 600);
  const crossEvery = intOption('--cross-every', values['cross-every'], 20_000, 10, 100_000_000);
  const transport = values.transport ?? 'http';
  if (transport !== 'http' && transport !== 'mqtt') throw new UsageError(`--transport must be http or mqtt, got "${transport}"`);

  const dir = mkdtempSync(join(tmpdir(), 'anlan-bench-ingest-'));
  const bar = new ProgressBar();
  let anlan: RunningAnlan | null = null;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const t0 = performance.now();
    anlan = await startAnlan({
      dataDir: dir,
      port: 0,
      host: '127.0.0.1',
      demo: false,
      adminPassword: randomBytes(12).toString('hex'),
      logLevel: 'warn',
      // The embedded broker on a free port (a machine's own Mosquitto often holds 1883).
      mqttPort: transport === 'mqtt' ? 0 : false,
      progress: (stage, done, total) => bar.update(stageLabel(stage), done, total),
    });
    const startSeconds = (performance.now() - t0) / 1000;
    const db = anlan.ctx.db;

    const t1 = performance.now();
    say(`注册 ${sensors.toLocaleString('en')} 个传感器 (registering sensors)…`);
    const counties = (await db.query<{ code: string }>(`SELECT code FROM regions WHERE level = 'county' ORDER BY code`)).rows.map((r) => r.code);
    const perPoint = 100;
    const points = Math.ceil(sensors / perPoint);
    await db.query(
      `INSERT INTO monitoring_points (name, type, region_code, lon, lat, created_by_name, updated_by_name)
       SELECT 'bench ' || g, 'hazchem_site', ($1::text[])[1 + g % array_length($1::text[], 1)], 104, 30, 'bench', 'bench' FROM generate_series(0, $2 - 1) g`,
      [counties, points],
    );
    const firstPoint = Number((await db.query<{ id: string }>('SELECT min(id) AS id FROM monitoring_points')).rows[0].id);
    for (let from = 0; from < sensors; from += 100_000) {
      const to = Math.min(sensors, from + 100_000);
      await db.query(
        `INSERT INTO monitoring_sensors (code, point_id, type, quantity, unit, sampling_interval_sec, range_min, range_max, thresholds, created_by_name, updated_by_name)
         SELECT 'G-' || g, $1 + (g - 1) / ${perPoint}, 'gas_combustible', 'gas_concentration', '%LEL', 10, 0, 100,
           '{"direction":"above","blue":10,"yellow":20,"orange":25,"red":50}', 'bench', 'bench'
         FROM generate_series($2::int, $3::int) g`,
        [firstPoint, from + 1, to],
      );
      bar.update('注册传感器 (registering sensors)', to, sensors);
    }
    // The registry's caches learn of the bulk insert as they would of an import.
    await anlan.ctx.bus.publish({ type: 'monitoring.imported', regionCode: NATIONAL_CODE, at: new Date().toISOString(), data: { points, sensors } });
    const registerSeconds = (performance.now() - t1) / 1000;

    const { token } = await createToken({ db, clock: anlan.ctx.clock }, { actor: SYSTEM_ACTOR, scope: NATIONAL_SCOPE }, { name: 'bench', regionCode: NATIONAL_CODE });
    const firstSensor = Number((await db.query<{ id: string }>('SELECT min(id) AS id FROM monitoring_sensors')).rows[0].id);

    const alarmLatencies: number[] = [];
    let alarmsRaised = 0;
    const unsubscribe = anlan.ctx.bus.subscribe((e) => {
      if (e.type !== 'alarm.raised') return;
      alarmsRaised++;
      const ms = (e.data as { latencyMs?: unknown }).latencyMs;
      if (typeof ms === 'number') alarmLatencies.push(ms);
    });

    say(`负载 ${seconds} 秒 (${transport}, ${clients} 个客户端, 每批 ${batch} 条)…`);
    const broker = anlan.ctx.mqtt?.broker;
    const mqttUrl = broker ? `mqtt://127.0.0.1:${broker.port}` : null;
    if (transport === 'mqtt' && !mqttUrl) throw new Error('the embedded MQTT broker did not start');
    const spec = { transport, url: anlan.url, mqttUrl, token, sensors, seconds, batch, clients, crossEvery, prefix: 'G-', normal: 5, crossing: 60 };
    const load = await runLoad(spec, seconds, bar);
    const tDrain = performance.now();
    await anlan.ctx.readings.settled({ rollups: true });
    const drainSeconds = (performance.now() - tDrain) / 1000;
    unsubscribe();

    say(`基线：逐条 INSERT ${baselineSeconds} 秒 (baseline)…`);
    const baseline = await insertBaseline(anlan, baselineSeconds, firstSensor);

    const readingsPerSecond = load.accepted / load.seconds;
    const result = {
      sensors,
      transport,
      readingsPerSecond: Math.round(readingsPerSecond),
      p99AlarmMs: pct(alarmLatencies, 0.99) === null ? null : round(pct(alarmLatencies, 0.99)!),
      baselineReadingsPerSecond: Math.round(baseline),
      ratio: round(readingsPerSecond / baseline, 1),
      rssMb: Math.round(peakRss / 1024 / 1024),
      p50AlarmMs: pct(alarmLatencies, 0.5) === null ? null : round(pct(alarmLatencies, 0.5)!),
      alarmsRaised,
      crossings: load.crossings,
      accepted: load.accepted,
      rejected: load.rejected,
      seconds: round(load.seconds, 2),
      drainSeconds: round(drainSeconds, 2),
      requestP50Ms: round(load.requestP50Ms),
      requestP99Ms: round(load.requestP99Ms),
      batch,
      clients,
      startSeconds: round(startSeconds, 1),
      registerSeconds: round(registerSeconds, 1),
    };
    if (values.json) console.log(JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
    return 0;
  } finally {
    clearInterval(sampler);
    await anlan?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LoadResult {
  sent: number;
  accepted: number;
  rejected: number;
  seconds: number;
  requestP50Ms: number;
  requestP99Ms: number;
  crossings: number;
}

function runLoad(spec: object, seconds: number, bar: ProgressBar): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), LOAD_SCRIPT, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    const ticker = setInterval(() => bar.update('负载 (load)', Math.min(seconds, Math.round((Date.now() - started) / 1000)), seconds), 500);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(ticker);
      bar.update('负载 (load)', seconds, seconds);
      if (code !== 0) return reject(new Error(`the load process exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}

const monthOf = (ms: number) => new Date(ms).getUTCFullYear() * 100 + new Date(ms).getUTCMonth() + 1;

/** One INSERT statement per reading, awaited one after the other: what a naive ingest does. */
async function insertBaseline(anlan: RunningAnlan, seconds: number, firstSensor: number): Promise<number> {
  const db = anlan.ctx.db;
  const base = Date.now() - 12 * 3600 * 1000;
  await anlan.ctx.readings.partitions.ensure(db, [monthOf(base), monthOf(base + seconds * 100_000)]);
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++, n++) {
      await db.query('INSERT INTO monitoring_readings (sensor_id, ts, value) VALUES ($1, $2, $3)', [firstSensor + (n % 1000), new Date(base + n), (n % 50) / 10]);
    }
  }
  return n / ((performance.now() - t0) / 1000);
}
