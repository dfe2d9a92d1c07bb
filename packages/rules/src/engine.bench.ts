// Micro-benchmark of the rule engine's hot path (not a test):
//   node --import tsx packages/rules/src/engine.bench.ts [readings] [sensors]
// 700,000 sensors, each with a threshold rule, one in ten (rain gauges) also with a 24 h
// accumulation rule at 10-minute buckets; readings arrive in rounds, every sensor once per
// minute in a shuffled order, with a tick every 10,000 readings as a timer would do.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createEngine, createRuleSet, type Engine, type Reading } from './index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const READINGS = Number(process.argv[2] ?? 5_000_000);
const SENSORS = Number(process.argv[3] ?? 700_000);
const ROUND_MS = 60_000;
const T0 = Date.UTC(2025, 6, 1);

// Deterministic so runs compare: a 32-bit xorshift.
let seed = 0x9e3779b9;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};

const ids = Array.from({ length: SENSORS }, (_, i) => `420102-${i % 10 === 0 ? 'RG' : 'WL'}-${String(i).padStart(7, '0')}`);
const typeOf = (id: string) => (id.charCodeAt(8) === 71 /* G */ ? 'rain' : 'level');

const order = Int32Array.from({ length: SENSORS }, (_, i) => i);
for (let i = SENSORS - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const sensorOf = new Int32Array(READINGS);
const tsOf = new Float64Array(READINGS);
const valueOf = new Float64Array(READINGS);
for (let k = 0; k < READINGS; k++) {
  const round = Math.floor(k / SENSORS);
  const s = order[k % SENSORS];
  sensorOf[k] = s;
  tsOf[k] = T0 + round * ROUND_MS + Math.floor(((k % SENSORS) * ROUND_MS) / SENSORS);
  // Water levels around 1 m with rare excursions; rain mostly dry with showers at a few gauges.
  valueOf[k] = s % 10 === 0 ? (s % 1000 === 0 ? 1.5 : random() < 0.02 ? 0.5 : 0) : random() < 0.001 ? 3.5 : 1 + random() * 0.4;
}

const ruleSet = createRuleSet([
  { kind: 'threshold', id: 'WL', version: 1, sensorType: 'level', unit: 'm', levels: { blue: 2, yellow: 2.5, orange: 3, red: 3.4 }, hysteresis: 0.1 },
  { kind: 'threshold', id: 'RG-1MIN', version: 1, sensorType: 'rain', unit: 'mm', levels: { yellow: 2, red: 5 } },
  { kind: 'accumulation', id: 'RG-24H', version: 1, sensorType: 'rain', unit: 'mm', windowSec: 86400, bucketSec: 600, levels: { blue: 25, yellow: 50, orange: 80, red: 100 }, hysteresis: 2 },
]);

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const rate = (n: number, sec: number) => `${Math.round(n / sec).toLocaleString('en-US')} readings/s`.padStart(22);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Feeds readings [from, to) by sensor id, as `ingest` receives them from a parser. */
function feedById(engine: Engine, from: number, to: number) {
  const reading: Reading = { sensor: '', ts: 0, value: 0 };
  let transitions = 0;
  for (let k = from; k < to; k++) {
    reading.sensor = ids[sensorOf[k]];
    reading.ts = tsOf[k];
    reading.value = valueOf[k];
    transitions += engine.ingest(reading).length;
    if (k % 10_000 === 9_999) transitions += engine.tick(tsOf[k]).length;
  }
  return transitions;
}

/** The same readings by handle, as an ingestion path that caches the handle would feed them. */
function feedByHandle(engine: Engine, handles: Int32Array, from: number, to: number) {
  let transitions = 0;
  for (let k = from; k < to; k++) {
    transitions += engine.ingestValue(handles[sensorOf[k]], tsOf[k], valueOf[k]).length;
    if (k % 10_000 === 9_999) transitions += engine.tick(tsOf[k]).length;
  }
  return transitions;
}

/** The same again in batches of 1,000, as an HTTP batch or an MQTT burst delivers them. */
function feedByBatch(engine: Engine, handles: Int32Array) {
  const readingHandles = Int32Array.from(sensorOf, (s) => handles[s]);
  const start = process.hrtime.bigint();
  let transitions = 0;
  for (let k = 0; k < READINGS; k += 1000) {
    const end = Math.min(READINGS, k + 1000);
    transitions += engine.ingestBatch(readingHandles.subarray(k, end), tsOf.subarray(k, end), valueOf.subarray(k, end)).length;
    if (end % 10_000 === 0) transitions += engine.tick(tsOf[end - 1]).length;
  }
  return { transitions, sec: seconds(start) };
}

const options = { sensorType: typeOf, pointOf: () => undefined };
const firstRound = Math.min(SENSORS, READINGS);
console.log(`${SENSORS.toLocaleString('en-US')} sensors, ${READINGS.toLocaleString('en-US')} readings (every sensor once a minute, shuffled), tick every 10,000 readings`);

gc();
const before = process.memoryUsage();
// Typed arrays as the engine counts them (byteLength of what it holds): process.memoryUsage()
// counts freed buffers too until the sweeper has run, which makes it jump between runs.
const memory = (label: string, engine: Engine) => {
  gc();
  const heap = process.memoryUsage().heapUsed - before.heapUsed;
  const arrays = engine.stats().arrayBytes;
  console.log(`${label} heap ${mb(heap)} + typed arrays ${mb(arrays)} = ${Math.round((heap + arrays) / SENSORS)} bytes per sensor`);
};

const byId = createEngine(ruleSet, options);
let t = process.hrtime.bigint();
let transitions = feedById(byId, 0, firstRound);
const firstSec = seconds(t);
t = process.hrtime.bigint();
transitions += feedById(byId, firstRound, READINGS);
const steadySec = seconds(t);
console.log(`by id, first round (binds each sensor) ${rate(firstRound, firstSec)}`);
if (READINGS > firstRound) console.log(`by id, steady state                    ${rate(READINGS - firstRound, steadySec)}`);
console.log(`by id, all ${READINGS.toLocaleString('en-US')}                   ${rate(READINGS, firstSec + steadySec)}   (${transitions.toLocaleString('en-US')} transitions)`);
console.log(byId.stats().rules.map((r) => `${r.id}: ${r.slots.toLocaleString('en-US')} slots`).join(', '));
memory('engine memory, as grown:          ', byId);
byId.compact();
memory('engine memory, after compact():   ', byId);

const byHandle = createEngine(ruleSet, options);
t = process.hrtime.bigint();
const handles = Int32Array.from(ids, (id) => byHandle.sensorHandle(id));
const bindSec = seconds(t);
t = process.hrtime.bigint();
const handleTransitions = feedByHandle(byHandle, handles, 0, READINGS);
const handleSec = seconds(t);
console.log(`by handle (sensors bound beforehand)  ${rate(READINGS, handleSec)}   (${handleTransitions.toLocaleString('en-US')} transitions; binding ${SENSORS.toLocaleString('en-US')} sensors took ${bindSec.toFixed(2)} s)`);

const batched = createEngine(ruleSet, options);
const batchHandles = Int32Array.from(ids, (id) => batched.sensorHandle(id));
const batch = feedByBatch(batched, batchHandles);
console.log(`by handle, batches of 1,000           ${rate(READINGS, batch.sec)}   (${batch.transitions.toLocaleString('en-US')} transitions)`);
