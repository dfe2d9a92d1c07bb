import { AccumulationEvaluator } from './accumulation.ts';
import { Bindings } from './bindings.ts';
import { compileSensorRules } from './compile.ts';
import type { SensorEvaluator, TimedEvaluator } from './evaluator.ts';
import { CompositeNetwork } from './network.ts';
import { OfflineEvaluator } from './offline.ts';
import type { RuleSet } from './rule-set.ts';
import { SensorTable } from './sensors.ts';
import { decodeColumn, encodeColumn, SNAPSHOT_FORMAT, type EngineSnapshot } from './snapshot.ts';
import { administrativeClear, sensorTransition } from './transitions.ts';
import { levelOfCode, type AlarmTransition, type OpenAlarm, type Reading } from './types.ts';

export interface EngineOptions {
  /** Called once per sensor (at its first reading and at each rule-set swap). */
  sensorType: (sensor: string) => string | undefined;
  /** The monitoring point of a sensor, for point-scoped composite rules and for display. */
  pointOf: (sensor: string) => string | undefined;
  /** Needed only by area-scoped composite rules. */
  areaOf?: (sensor: string) => string | undefined;
}

export interface EngineStats {
  sensors: number;
  bindings: number;
  /** Bytes held in typed arrays (allocated capacity, so including room to grow). */
  arrayBytes: number;
  rules: { id: string; kind: string; slots: number }[];
}

export interface Engine {
  readonly ruleSet: RuleSet;
  /** Evaluates one reading. The returned array is shared and empty when nothing changed. */
  ingest(reading: Reading): readonly AlarmTransition[];
  /**
   * The engine's number for a sensor (binding it on first use); stable for the engine's life.
   * Looking a string up among 700,000 costs more than evaluating the reading, so a caller
   * that already resolves the sensor (ingestion does, to find its device record) keeps this
   * number there and calls `ingestValue`.
   */
  sensorHandle(sensor: string): number;
  /** `ingest` for a sensor known by its handle. */
  ingestValue(handle: number, ts: number, value: number): readonly AlarmTransition[];
  /**
   * Many readings by handle, in order: the same result as `ingestValue` for each, about twice
   * as fast when the sensors number in the hundreds of thousands (see the method).
   */
  ingestBatch(handles: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): readonly AlarmTransition[];
  /** Lets time act: offline deadlines, and windows that empty while no reading comes. */
  tick(nowMs: number): readonly AlarmTransition[];
  /** Starts the offline clock of a sensor that has not reported yet. */
  register(sensor: string, sinceMs: number): void;
  /**
   * Swaps the rule set. Rules whose definition is unchanged keep their state (a new version
   * number or name alone changes nothing); alarms of changed or removed rules are closed, and
   * the returned transitions say so.
   */
  setRuleSet(next: RuleSet, nowMs?: number): AlarmTransition[];
  openAlarms(): OpenAlarm[];
  /** Releases the room arrays keep to grow; worth calling once every registered sensor is bound. */
  compact(): void;
  snapshot(): EngineSnapshot;
  /** Loads state saved by `snapshot` for the rules whose definition is unchanged. */
  restore(snapshot: EngineSnapshot): AlarmTransition[];
  stats(): EngineStats;
}

const NONE: readonly AlarmTransition[] = Object.freeze([]);
/** Readings touched ahead per group: enough loads in flight, few enough that they stay in L1/L2. */
const BATCH = 128;

class RuleEngine implements Engine {
  private current!: RuleSet;
  private evals: SensorEvaluator[] = [];
  private timed: TimedEvaluator[] = [];
  private network!: CompositeNetwork;
  private bySensor = new Map<string, number[]>();
  private byType = new Map<string, number[]>();
  private readonly sensors = new SensorTable();
  private bindings = new Bindings(this.sensors.capacity);

  private clock = -Infinity;
  private tickNow = -Infinity;
  private readonly changed: number[] = [];
  /** Where `ingestBatch` puts what it touched, so the loads cannot be optimised away. */
  private sink = 0;

  constructor(
    ruleSet: RuleSet,
    private readonly options: EngineOptions,
  ) {
    this.install(ruleSet);
  }

  get ruleSet(): RuleSet {
    return this.current;
  }

  /** Builds the evaluators for a rule set, reusing those whose definition is unchanged. */
  private install(ruleSet: RuleSet): Int32Array {
    if (CompositeNetwork.needsArea(ruleSet) && !this.options.areaOf) throw new Error('area-scoped composite rules need options.areaOf');
    const compiled = compileSensorRules(ruleSet, this.evals);
    this.network = new CompositeNetwork(ruleSet, this.network?.composites ?? [], compiled.evaluators);
    this.current = ruleSet;
    this.evals = compiled.evaluators;
    this.timed = compiled.evaluators.filter((e): e is TimedEvaluator => e instanceof AccumulationEvaluator || e instanceof OfflineEvaluator);
    this.bySensor = compiled.bySensor;
    this.byType = compiled.byType;
    return compiled.kept;
  }

  /** Reads the sensor's metadata and gives it a slot in every rule that applies to it. */
  private bind(sensor: number, reuse?: Map<number, number>) {
    const id = this.sensors.ids[sensor];
    this.sensors.setPlace(sensor, this.options.pointOf(id), this.options.areaOf?.(id));
    const type = this.options.sensorType(id);
    const flat: number[] = [];
    for (const list of [this.bySensor.get(id), type === undefined ? undefined : this.byType.get(type)]) {
      if (!list) continue;
      for (const e of list) {
        const kept = reuse?.get(e);
        reuse?.delete(e);
        flat.push(e, kept ?? this.evals[e].alloc(sensor));
      }
    }
    this.bindings.set(sensor, flat);
  }

  private sensorFor(id: string): number {
    let sensor = this.sensors.handle(id);
    if (sensor === undefined) {
      sensor = this.sensors.add(id);
      this.bindings.ensure(this.sensors.capacity);
      this.bind(sensor);
    }
    return sensor;
  }

  sensorHandle(sensor: string): number {
    return this.sensorFor(sensor);
  }

  ingest(reading: Reading): readonly AlarmTransition[] {
    let sensor = this.sensors.handle(reading.sensor);
    if (sensor === undefined) sensor = this.sensorFor(reading.sensor);
    return this.ingestValue(sensor, reading.ts, reading.value);
  }

  ingestValue(sensor: number, ts: number, value: number): readonly AlarmTransition[] {
    // A NaN would compare false everywhere and silently clear alarms; garbage is dropped here.
    if (!Number.isFinite(ts) || !Number.isFinite(value)) return NONE;
    if (!(sensor >= 0 && sensor < this.sensors.count)) throw new RangeError(`unknown sensor handle ${sensor}`);
    if (ts > this.clock) this.clock = ts;
    const rec = this.bindings.rec;
    const r = sensor * 4;
    const n = rec[r];
    if (n === 0) return NONE;
    let out: AlarmTransition[] | null = null;
    const ev = this.evals[rec[r + 1]];
    const previous = ev.ingest(rec[r + 2], ts, value);
    if (previous >= 0) this.emitSensor(ev, rec[r + 2], previous, ev.measured, ev.evaluatedAt, (out ??= []));
    if (n > 1) {
      const overflow = this.bindings.overflow;
      for (let i = rec[r + 3], end = i + 2 * (n - 1); i < end; i += 2) {
        const other = this.evals[overflow[i]];
        const changed = other.ingest(overflow[i + 1], ts, value);
        if (changed >= 0) this.emitSensor(other, overflow[i + 1], changed, other.measured, other.evaluatedAt, (out ??= []));
      }
    }
    return out ?? NONE;
  }

  /**
   * With 700,000 sensors each reading's state is out of cache, and `ingestValue` waits for its
   * loads one after the other (sensor record, then state record). Touching the records of a
   * group of readings first issues those loads back to back, so the memory system serves them
   * in parallel; the evaluation that follows finds them in cache.
   */
  ingestBatch(handles: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): readonly AlarmTransition[] {
    const n = handles.length;
    if (ts.length !== n || values.length !== n) throw new RangeError(`ingestBatch needs as many timestamps and values as handles (${n}, ${ts.length}, ${values.length})`);
    let out: AlarmTransition[] | null = null;
    let sink = 0;
    for (let from = 0; from < n; from += BATCH) {
      const to = Math.min(n, from + BATCH);
      const rec = this.bindings.rec;
      for (let k = from; k < to; k++) sink += rec[handles[k] * 4] ?? 0;
      for (let k = from; k < to; k++) {
        const r = handles[k] * 4;
        if (rec[r] > 0) sink += this.evals[rec[r + 1]].touch(rec[r + 2]);
      }
      for (let k = from; k < to; k++) {
        const t = this.ingestValue(handles[k], ts[k], values[k]);
        if (t.length > 0) (out ??= []).push(...t);
      }
    }
    this.sink = sink;
    return out ?? NONE;
  }

  tick(nowMs: number): readonly AlarmTransition[] {
    if (!Number.isFinite(nowMs)) return NONE;
    if (nowMs > this.tickNow) this.tickNow = nowMs;
    if (nowMs > this.clock) this.clock = nowMs;
    let out: AlarmTransition[] | null = null;
    const changed = this.changed;
    for (const ev of this.timed) {
      changed.length = 0;
      ev.advance(nowMs, changed);
      if (changed.length === 0) continue;
      // Emitted in sensor-id order, so that the same state gives the same output whatever
      // order slots and deadlines were created in (after a restore, for one).
      const order = Array.from({ length: changed.length / 3 }, (_, i) => i * 3);
      const idOf = (i: number) => this.sensors.ids[ev.sensorOf[changed[i]]];
      if (order.length > 1) order.sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
      for (const i of order) this.emitSensor(ev, changed[i], changed[i + 1], changed[i + 2], nowMs, (out ??= []));
    }
    return out ?? NONE;
  }

  register(sensor: string, sinceMs: number) {
    const s = this.sensorFor(sensor);
    const flat = this.bindings.get(s);
    for (let i = 0; i < flat.length; i += 2) {
      const ev = this.evals[flat[i]];
      if (ev instanceof OfflineEvaluator) ev.expect(flat[i + 1], sinceMs);
    }
  }

  private emitSensor(ev: SensorEvaluator, slot: number, previous: number, value: number, ts: number, out: AlarmTransition[]) {
    const current = ev.levelOf(slot);
    const s = ev.sensorOf[slot];
    const place = { point: this.sensors.point(s), area: this.sensors.area(s) };
    out.push(sensorTransition(ev, this.sensors.ids[s], place, previous, current, value, ts));
    if (ev.tracked) this.network.propagate(ev.rule.id, place.point, place.area, previous, current, ts, out);
  }

  setRuleSet(next: RuleSet, nowMs?: number): AlarmTransition[] {
    const ts = nowMs ?? (Number.isFinite(this.clock) ? this.clock : 0);
    const out: AlarmTransition[] = [];
    const oldEvals = this.evals;
    const oldComposites = this.network.composites;
    const oldBindings = this.bindings;
    const kept = this.install(next);
    const reasonFor = (id: string) => (next.get(id)?.enabled ? 'rule_changed' : 'rule_removed');

    oldEvals.forEach((ev, i) => {
      if (kept[i] >= 0) return;
      for (let slot = 0; slot < ev.count; slot++) {
        const level = ev.levelOf(slot);
        const s = ev.sensorOf[slot];
        if (level > 0 && s >= 0) out.push(administrativeClear(ev.rule, 'sensor', this.sensors.ids[s], level, reasonFor(ev.rule.id), ts));
      }
    });
    const keptComposites = new Set(this.network.composites);
    for (const c of oldComposites) {
      if (keptComposites.has(c)) continue;
      for (const [key, level] of c.open) out.push(administrativeClear(c.rule, c.scopeKind, key, level, reasonFor(c.rule.id), ts));
    }

    // Rebind every known sensor: metadata is re-read, kept rules keep their slot (and state).
    this.bindings = new Bindings(this.sensors.capacity);
    const reuse = new Map<number, number>();
    for (let s = 0; s < this.sensors.count; s++) {
      reuse.clear();
      const old = oldBindings.get(s);
      for (let i = 0; i < old.length; i += 2) if (kept[old[i]] >= 0) reuse.set(kept[old[i]], old[i + 1]);
      this.bind(s, reuse);
      for (const [e, slot] of reuse) {
        const ev = this.evals[e];
        const level = ev.levelOf(slot);
        if (level > 0) out.push(administrativeClear(ev.rule, 'sensor', this.sensors.ids[s], level, 'sensor_unbound', ts));
        ev.reset(slot);
        ev.sensorOf[slot] = -1;
      }
    }
    this.network.reconcile(this.evals, this.sensors, ts, out);
    return out;
  }

  compact() {
    for (const ev of this.evals) ev.trim();
    this.sensors.compact();
    this.bindings.trim(this.sensors.capacity);
  }

  openAlarms(): OpenAlarm[] {
    const open: OpenAlarm[] = [];
    for (const ev of this.evals) {
      for (let slot = 0; slot < ev.count; slot++) {
        const level = levelOfCode(ev.levelOf(slot));
        if (level && ev.sensorOf[slot] >= 0) {
          open.push({ ruleId: ev.rule.id, ruleVersion: ev.rule.version, scope: 'sensor', subject: this.sensors.ids[ev.sensorOf[slot]], level });
        }
      }
    }
    for (const c of this.network.composites) {
      for (const [subject, code] of c.open) open.push({ ruleId: c.rule.id, ruleVersion: c.rule.version, scope: c.scopeKind, subject, level: levelOfCode(code)! });
    }
    return open;
  }

  snapshot(): EngineSnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      tickNow: Number.isFinite(this.tickNow) ? this.tickNow : null,
      clock: Number.isFinite(this.clock) ? this.clock : null,
      evaluators: this.evals.map((ev) => ({
        id: ev.rule.id,
        key: ev.key,
        sensors: Array.from(ev.sensorOf.subarray(0, ev.count), (s) => (s >= 0 ? this.sensors.ids[s] : null)),
        columns: Object.fromEntries(Object.entries(ev.columns()).map(([name, c]) => [name, encodeColumn(c.array, ev.count * c.stride)])),
      })),
      composites: this.network.composites.map((c) => ({ id: c.rule.id, key: c.key, open: [...c.open] })),
    };
  }

  private slotOf(sensor: number, evaluator: number): number {
    const flat = this.bindings.get(sensor);
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === evaluator) return flat[i + 1];
    return -1;
  }

  restore(snapshot: EngineSnapshot): AlarmTransition[] {
    if (snapshot?.format !== SNAPSHOT_FORMAT) throw new Error(`not a rule engine snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.tickNow !== null && snapshot.tickNow > this.tickNow) this.tickNow = snapshot.tickNow;
    if (snapshot.clock !== null && snapshot.clock > this.clock) this.clock = snapshot.clock;
    const index = new Map(this.evals.map((e, i) => [e.rule.id, i]));
    for (const saved of snapshot.evaluators) {
      const e = index.get(saved.id);
      if (e === undefined || this.evals[e].key !== saved.key) continue;
      const ev = this.evals[e];
      // Bind first: binding may grow the evaluator's arrays, so take the columns afterwards.
      const slots = saved.sensors.map((id) => (id === null ? -1 : this.slotOf(this.sensorFor(id), e)));
      const columns = ev.columns();
      for (const [name, text] of Object.entries(saved.columns)) {
        const column = columns[name];
        if (!column) throw new Error(`snapshot of rule ${saved.id} has an unknown column ${name}`);
        const data = decodeColumn(text, column.array);
        const stride = column.stride;
        if (data.length !== slots.length * stride) throw new Error(`snapshot column ${saved.id}.${name} has ${data.length} values for ${slots.length} sensors`);
        slots.forEach((slot, i) => {
          if (slot >= 0) column.array.set(data.subarray(i * stride, (i + 1) * stride), slot * stride);
        });
      }
    }
    const composites = new Map(this.network.composites.map((c) => [c.rule.id, c]));
    for (const saved of snapshot.composites) {
      const c = composites.get(saved.id);
      if (!c || c.key !== saved.key) continue;
      c.open.clear();
      for (const [key, level] of saved.open) c.open.set(key, level);
    }
    for (const ev of this.evals) {
      if (ev instanceof OfflineEvaluator) ev.now = this.tickNow;
      ev.rebuild();
    }
    const out: AlarmTransition[] = [];
    this.network.reconcile(this.evals, this.sensors, Number.isFinite(this.clock) ? this.clock : 0, out);
    return out;
  }

  stats(): EngineStats {
    return {
      sensors: this.sensors.count,
      bindings: this.bindings.pairs,
      arrayBytes:
        this.bindings.rec.byteLength +
        this.bindings.overflow.byteLength +
        this.sensors.arrayBytes +
        this.evals.reduce((sum, e) => sum + e.sensorOf.byteLength + Object.values(e.columns()).reduce((n, c) => n + c.array.byteLength, 0), 0),
      rules: [...this.evals.map((e) => ({ id: e.rule.id, kind: e.rule.kind, slots: e.count })), ...this.network.composites.map((c) => ({ id: c.rule.id, kind: 'composite', slots: c.open.size }))],
    };
  }
}

/**
 * The incremental evaluator. Pure: no I/O, no timers (time comes in through readings and
 * `tick`), and metadata comes in through the two lookups, each called once per sensor.
 */
export function createEngine(ruleSet: RuleSet, options: EngineOptions): Engine {
  return new RuleEngine(ruleSet, options);
}
