/**
 * The engine host: one rule engine per process, fed with every durable reading of this process's
 * ingest (HTTP and MQTT alike), ticked for offline sensors and windows that empty, and kept in
 * step with the registry and the stored rules through the bus. Its transitions go, in order, to
 * the alarm service. The hot path (a batch of readings) touches no database: sensor metadata is
 * cached here and refreshed by the registry's events.
 *
 * Order. Readings, rule-set swaps and ticks reach the engine in one sequence: while the registry
 * or the rules are being reloaded, batches wait in memory and are fed, in arrival order, right
 * after the new rule set is in place.
 *
 * Start. The engine starts empty; it is warmed from the database (the latest value of every
 * sensor, and the readings of the sensors whose rules remember: windows, rates, durations), then
 * the open alarms it reconstructs are reconciled with those the database holds: one open in both
 * stays the same alarm (its level corrected if need be), one only the engine holds is raised,
 * one only the database holds is cleared (recovered while we were down, or its rule is gone).
 * So a restart neither raises a second alarm for an open one nor forgets the day's rain.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { createEngine, parseRuleSet, type AlarmTransition, type Engine, type Level, type Rule, type RuleSet } from '@anlan/rules';
import type { Logger } from 'pino';
import type { BusEvent, EventBus } from '../../events/bus.ts';
import type { AcceptedReading, ReadingIngest } from '../ingest/service.ts';
import { FUTURE_TOLERANCE_MS } from '../ingest/service.ts';
import { allOpenAlarms } from '../alarms/store.ts';
import { AlarmService, keyOf, type QueuedTransition, type TransitionMeta } from '../alarms/service.ts';
import { implicitRules, type SensorMeta } from './defaults.ts';
import { seedCatalogueRules } from './service.ts';
import * as store from './store.ts';

export interface RuleHostDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  readings: ReadingIngest;
}

export interface RuleHostOptions {
  /** How often `tick` runs (offline sensors, windows emptying); default 5 s. */
  tickMs?: number;
}

/** History read per query while warming, so memory stays bounded. */
const WARM_SLICE_MS = 60 * 60 * 1000;
/** Rules remembering longer than this are warmed only this far back (validation allows 31 days). */
const MAX_WARM_MS = 7 * 24 * 60 * 60 * 1000;
const RETRY_MS = 5_000;

const sensorEvents = new Set(['monitoring.sensor_created', 'monitoring.sensor_updated', 'monitoring.sensor_deleted']);
const pointEvents = new Set(['monitoring.point_created', 'monitoring.point_updated', 'monitoring.point_deleted']);
const ruleEvents = new Set(['monitoring.rule_created', 'monitoring.rule_updated', 'monitoring.rule_deleted']);

export class RuleHost {
  readonly alarms: AlarmService;
  private engine: Engine | null = null;
  private ruleSet: RuleSet | null = null;
  private readonly sensors = new Map<string, SensorMeta>();
  private readonly sensorsById = new Map<number, SensorMeta>();
  private readonly points = new Map<number, store.PointMeta>();
  private readonly regionNames = new Map<string, string>();
  private readonly implicit = new Map<string, Rule[]>();
  private stored: store.StoredRule[] = [];
  /** Set when what the engine binds by (a sensor's rules, type, point, area) changed since the last swap. */
  private bindingsChanged = false;

  /** Engine handle by sensor id; -1 unknown. Ids are dense bigserials, so an array beats a Map. */
  private handleById = new Int32Array(1024).fill(-1);
  private batchHandles = new Int32Array(1024);
  private batchTs = new Float64Array(1024);
  private batchValues = new Float64Array(1024);

  private started = false;
  private closed = false;
  /** True while a reload runs: batches wait in `waiting`. */
  private busy = true;
  private waiting: { readings: readonly AcceptedReading[]; receivedAtMs: number }[] = [];
  private dirty = { all: false, rules: false, sensorIds: new Set<number>(), pointIds: new Set<number>() };
  private work: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly deps: RuleHostDeps,
    private readonly options: RuleHostOptions = {},
  ) {
    this.alarms = new AlarmService(deps);
  }

  /** Number of sensors and rules the engine holds, for status pages and tests. */
  stats() {
    return { sensors: this.sensors.size, rules: this.ruleSet?.rules.length ?? 0, engine: this.engine?.stats() ?? null, waiting: this.waiting.length, alarmQueue: this.alarms.pending };
  }

  async start(): Promise<void> {
    // Subscribe first: what arrives while we warm up waits, and is not counted twice.
    this.unsubscribe.push(this.deps.readings.onAccepted((r, at) => this.onReadings(r, at)));
    this.unsubscribe.push(this.deps.bus.subscribe((e) => this.onEvent(e)));

    await seedCatalogueRules(this.deps);
    await this.loadRegistry();
    this.stored = await store.allRules(this.deps.db);
    this.ruleSet = this.buildRuleSet();
    this.engine = createEngine(this.ruleSet, {
      sensorType: (code) => {
        const s = this.sensors.get(code);
        return s && s.enabled ? s.type : undefined;
      },
      pointOf: (code) => {
        const s = this.sensors.get(code);
        return s ? String(s.pointId) : undefined;
      },
      // Areas are counties: a township or village point belongs to the county of its code.
      areaOf: (code) => this.sensors.get(code)?.regionCode.slice(0, 6),
    });

    this.bindingsChanged = false;
    const now = this.deps.clock.now().getTime();
    const warm = await this.warmUp(now);
    this.engine.compact();
    this.alarms.enqueue(await this.reconcile(warm, now));

    this.started = true;
    this.busy = false;
    if (this.isDirty()) this.schedule();
    else this.flushWaiting();
    const tickMs = this.options.tickMs ?? 5_000;
    this.timer = setInterval(() => {
      if (!this.busy && this.engine) this.hand(this.engine.tick(this.deps.clock.now().getTime()), null);
    }, tickMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    for (const u of this.unsubscribe.splice(0)) u();
    while (this.work) await this.work;
    await this.alarms.close();
  }

  /** Resolves when reloads, waiting readings and alarm writes handed over so far are done. */
  async idle(): Promise<void> {
    for (;;) {
      while (this.work) await this.work;
      await this.alarms.idle();
      if (!this.work && this.alarms.pending === 0) return;
    }
  }

  /** Lets time act now (the timer does this every few seconds); tests pass an explicit time. */
  async tick(nowMs: number): Promise<number> {
    while (this.work) await this.work;
    if (!this.engine) return 0;
    const out = this.engine.tick(nowMs);
    this.hand(out, null);
    return out.length;
  }

  /** The rule set the engine runs: for the rules API (what applies to a sensor). */
  currentRuleSet(): RuleSet | null {
    return this.ruleSet;
  }

  // ---- readings ----

  private onReadings(readings: readonly AcceptedReading[], receivedAtMs: number): void {
    if (this.closed) return;
    if (this.busy) this.waiting.push({ readings, receivedAtMs });
    else this.feed(readings, receivedAtMs);
  }

  private flushWaiting(): void {
    const batches = this.waiting;
    this.waiting = [];
    for (const b of batches) this.feed(b.readings, b.receivedAtMs);
  }

  private handleOf(r: { sensorId: number; code: string }): number {
    if (r.sensorId >= this.handleById.length) {
      const grown = new Int32Array(Math.max(r.sensorId + 1, Math.ceil(this.handleById.length * 1.5))).fill(-1);
      grown.set(this.handleById);
      this.handleById = grown;
    }
    let h = this.handleById[r.sensorId];
    if (h < 0) {
      h = this.engine!.sensorHandle(r.code);
      this.handleById[r.sensorId] = h;
    }
    return h;
  }

  /** The hot path: handles and typed arrays, one `ingestBatch`, no database. */
  private feed(readings: readonly AcceptedReading[], receivedAtMs: number | null): void {
    const n = readings.length;
    if (n === 0 || !this.engine) return;
    if (n > this.batchHandles.length) {
      const size = Math.max(n, this.batchHandles.length * 2);
      this.batchHandles = new Int32Array(size);
      this.batchTs = new Float64Array(size);
      this.batchValues = new Float64Array(size);
    }
    for (let i = 0; i < n; i++) {
      const r = readings[i];
      this.batchHandles[i] = this.handleOf(r);
      this.batchTs[i] = r.tsMs;
      this.batchValues[i] = r.value;
    }
    const out = this.engine.ingestBatch(this.batchHandles.subarray(0, n), this.batchTs.subarray(0, n), this.batchValues.subarray(0, n));
    if (out.length > 0) this.hand(out, receivedAtMs);
  }

  /** Transitions to the alarm service, with what the registry says about their subjects now. */
  private hand(transitions: readonly AlarmTransition[], receivedAtMs: number | null, restored = false): void {
    if (transitions.length === 0) return;
    this.alarms.enqueue(transitions.map((t) => this.queued(t, receivedAtMs, restored)));
  }

  private queued(t: AlarmTransition, receivedAtMs: number | null, restored: boolean): QueuedTransition {
    const ruleName = this.ruleSet?.get(t.ruleId)?.name ?? null;
    let meta: TransitionMeta | null = null;
    let message = t.message;
    if (t.scope === 'sensor') {
      const s = this.sensors.get(t.sensor ?? '');
      if (s) meta = { ruleName, sensorId: s.id, sensorCode: s.code, pointId: s.pointId, regionCode: s.regionCode };
    } else if (t.scope === 'point') {
      const p = this.points.get(Number(t.point));
      if (p) {
        meta = { ruleName, sensorId: null, sensorCode: null, pointId: p.id, regionCode: p.regionCode };
        // The engine knows points by number; people know them by name.
        const head = `监测点 ${t.point} `;
        if (message.startsWith(head)) message = `监测点 ${p.name} ${message.slice(head.length)}`;
      }
    } else if (t.area) {
      meta = { ruleName, sensorId: null, sensorCode: null, pointId: null, regionCode: t.area };
      const head = `区域 ${t.area} `;
      const name = this.regionNames.get(t.area);
      if (name && message.startsWith(head)) message = `区域 ${name} ${message.slice(head.length)}`;
    }
    return { t: message === t.message ? t : { ...t, message }, meta, receivedAtMs, restored };
  }

  // ---- registry and rules ----

  private onEvent(e: BusEvent): void {
    if (this.closed) return;
    const id = (e.data as { id?: unknown }).id;
    if (sensorEvents.has(e.type)) {
      if (typeof id === 'number') this.dirty.sensorIds.add(id);
      else this.dirty.all = true;
    } else if (pointEvents.has(e.type)) {
      if (typeof id === 'number') this.dirty.pointIds.add(id);
      else this.dirty.all = true;
    } else if (e.type === 'monitoring.imported') this.dirty.all = true;
    else if (ruleEvents.has(e.type)) this.dirty.rules = true;
    else return;
    // Synchronously, so that a batch ingested right after the change waits for the new rules.
    if (this.started) this.schedule();
  }

  private isDirty(): boolean {
    const d = this.dirty;
    return d.all || d.rules || d.sensorIds.size > 0 || d.pointIds.size > 0;
  }

  private schedule(): void {
    if (this.work || this.closed) return;
    this.busy = true;
    this.work = this.reloadLoop().finally(() => {
      this.work = null;
      this.busy = false;
      this.flushWaiting();
    });
  }

  private async reloadLoop(): Promise<void> {
    while (this.isDirty() && !this.closed) {
      const d = this.dirty;
      this.dirty = { all: false, rules: false, sensorIds: new Set(), pointIds: new Set() };
      try {
        if (d.all) await this.loadRegistry();
        else if (d.sensorIds.size > 0 || d.pointIds.size > 0) await this.loadSome([...d.sensorIds], [...d.pointIds]);
        if (d.rules) {
          this.stored = await store.allRules(this.deps.db);
          this.bindingsChanged = true;
        }
        // A new point, or a renamed one, changes nothing the engine binds by.
        if (this.bindingsChanged) this.swap();
      } catch (err) {
        this.deps.log.error({ err }, 'monitoring rules: reloading the registry or the rules failed; retrying');
        // Put the work back and try again later; meanwhile readings run on the old rules.
        if (d.all) this.dirty.all = true;
        if (d.rules) this.dirty.rules = true;
        for (const x of d.sensorIds) this.dirty.sensorIds.add(x);
        for (const x of d.pointIds) this.dirty.pointIds.add(x);
        if (!this.retry && !this.closed) {
          this.retry = setTimeout(() => {
            this.retry = null;
            this.schedule();
          }, RETRY_MS);
          this.retry.unref();
        }
        return;
      }
    }
  }

  /** Puts the current registry and stored rules into the engine. */
  private swap(): void {
    if (!this.engine) return;
    this.bindingsChanged = false;
    this.ruleSet = this.buildRuleSet();
    const out = this.engine.setRuleSet(this.ruleSet, this.deps.clock.now().getTime());
    // New evaluators start with room for a thousand sensors each; one per sensor rule adds up.
    this.engine.compact();
    this.hand(out, null);
  }

  private setSensor(s: SensorMeta): void {
    const old = this.sensorsById.get(s.id);
    if (old && old.code !== s.code) this.forgetSensor(old);
    const rules = implicitRules(s);
    const before = old && old.code === s.code ? this.implicit.get(s.code) : undefined;
    if (!old || old.type !== s.type || old.enabled !== s.enabled || old.pointId !== s.pointId || old.regionCode.slice(0, 6) !== s.regionCode.slice(0, 6) || JSON.stringify(before) !== JSON.stringify(rules)) {
      this.bindingsChanged = true;
    }
    this.sensorsById.set(s.id, s);
    this.sensors.set(s.code, s);
    this.implicit.set(s.code, rules);
  }

  private forgetSensor(s: SensorMeta): void {
    this.bindingsChanged = true;
    this.sensorsById.delete(s.id);
    if (this.sensors.get(s.code)?.id === s.id) {
      this.sensors.delete(s.code);
      this.implicit.delete(s.code);
    }
    // A renamed sensor is a new name to the engine; its readings must find the new handle.
    if (s.id < this.handleById.length) this.handleById[s.id] = -1;
  }

  private async loadRegistry(): Promise<void> {
    const [sensors, points] = await Promise.all([store.loadSensors(this.deps.db), store.loadPoints(this.deps.db)]);
    const seen = new Set(sensors.map((s) => s.id));
    for (const s of [...this.sensorsById.values()]) if (!seen.has(s.id)) this.forgetSensor(s);
    for (const s of sensors) this.setSensor(s);
    this.points.clear();
    for (const p of points) this.points.set(p.id, p);
    await this.loadRegionNames(points.map((p) => p.regionCode.slice(0, 6)));
  }

  private async loadSome(sensorIds: number[], pointIds: number[]): Promise<void> {
    const sensors = await store.loadSensors(this.deps.db, { ids: sensorIds, pointIds });
    const points = await store.loadPoints(this.deps.db, [...new Set([...pointIds, ...sensors.map((s) => s.pointId)])]);
    const found = new Set(sensors.map((s) => s.id));
    const onPoints = new Set(pointIds);
    for (const s of [...this.sensorsById.values()]) {
      if (found.has(s.id)) continue;
      if (sensorIds.includes(s.id) || onPoints.has(s.pointId)) this.forgetSensor(s);
    }
    for (const s of sensors) this.setSensor(s);
    for (const id of pointIds) this.points.delete(id);
    for (const p of points) this.points.set(p.id, p);
    await this.loadRegionNames(points.map((p) => p.regionCode.slice(0, 6)));
  }

  private async loadRegionNames(codes: string[]): Promise<void> {
    const missing = [...new Set(codes)].filter((c) => !this.regionNames.has(c));
    for (const [code, name] of await store.regionNames(this.deps.db, missing)) this.regionNames.set(code, name);
  }

  /**
   * Stored rules plus the rules implied by the sensors. A rule that no longer validates in the
   * whole set (a composite whose member's sensor was deleted) is left out and logged, rather
   * than stopping every other rule.
   */
  private buildRuleSet(): RuleSet {
    let list: Rule[] = [...this.stored.map((r) => r.definition)];
    for (const rules of this.implicit.values()) for (const r of rules) list.push(r);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { ruleSet, errors } = parseRuleSet(list);
      if (ruleSet) return ruleSet;
      const bad = new Set<number>();
      for (const e of errors) {
        const m = /^rules\[(\d+)\]/.exec(e.path);
        if (m) bad.add(Number(m[1]));
      }
      this.deps.log.warn({ rules: [...bad].map((i) => list[i]?.id), errors: errors.slice(0, 20) }, 'monitoring rules left out of the engine: they do not validate');
      if (bad.size === 0) break;
      list = list.filter((_r, i) => !bad.has(i));
    }
    return parseRuleSet([]).ruleSet!;
  }

  // ---- start: warm-up and reconciliation ----

  /** How far back each sensor's rules remember: window plus duration; 0 for the latest value alone. */
  private memoryMs(rules: readonly Rule[]): Map<string, number> {
    const bySelector = new Map<string, number>();
    for (const r of rules) {
      if (r.kind === 'composite' || !r.enabled) continue;
      let ms = 0;
      if (r.kind === 'accumulation' || r.kind === 'rate') ms = (r.windowSec + r.minDurationSec) * 1000;
      else if (r.kind === 'threshold') ms = r.minDurationSec * 1000;
      const key = r.sensor !== undefined ? `s:${r.sensor}` : `t:${r.sensorType}`;
      bySelector.set(key, Math.max(bySelector.get(key) ?? 0, ms));
    }
    return bySelector;
  }

  private async warmUp(nowMs: number): Promise<AlarmTransition[]> {
    const engine = this.engine!;
    const out: AlarmTransition[] = [];
    const take = (t: readonly AlarmTransition[]) => {
      for (const x of t) out.push(x);
    };
    const memory = this.memoryMs(this.ruleSet!.rules);
    // An ingest that writes the database behind its log says when what it answered is there.
    await (this.deps.readings as unknown as { settled?: (o: { rollups?: boolean }) => Promise<void> }).settled?.({ rollups: true });
    const latest = new Map((await store.latestReadings(this.deps.db)).map((r) => [r.sensorId, r]));
    // Readings that arrived since we subscribed are fed after the warm-up; not twice.
    const later = new Set<string>();
    for (const b of this.waiting) for (const r of b.readings) later.add(`${r.sensorId}:${r.tsMs}`);

    const history: { ids: number[]; sinceMs: number[] } = { ids: [], sinceMs: [] };
    let earliest = Infinity;
    for (const s of this.sensorsById.values()) {
      if (!s.enabled) continue;
      const m = Math.max(memory.get(`s:${s.code}`) ?? -1, memory.get(`t:${s.type}`) ?? -1);
      if (m < 0) continue;
      const l = latest.get(s.id);
      if (!l) continue;
      // Two sampling intervals more, so that a duration or window that just fits is complete.
      const since = m > 0 ? nowMs - Math.min(MAX_WARM_MS, m + 2 * s.samplingIntervalSec * 1000) : Infinity;
      // A sensor silent since before its span (a gauge in dry weather) has nothing more to read.
      if (l.tsMs < since) {
        if (!later.has(`${s.id}:${l.tsMs}`)) take(engine.ingest({ sensor: s.code, ts: l.tsMs, value: l.value }));
        continue;
      }
      history.ids.push(s.id);
      history.sinceMs.push(since);
      earliest = Math.min(earliest, since);
    }
    if (history.ids.length > 0) {
      const end = nowMs + FUTURE_TOLERANCE_MS + 60_000;
      for (let from = earliest; from < end; from += WARM_SLICE_MS) {
        const rows = await store.readingsSlice(this.deps.db, history, from, Math.min(end, from + WARM_SLICE_MS));
        for (const r of rows) {
          if (later.has(`${r.sensorId}:${r.tsMs}`)) continue;
          const s = this.sensorsById.get(r.sensorId);
          if (s) take(engine.ingestValue(this.handleOf({ sensorId: s.id, code: s.code }), r.tsMs, r.value));
        }
      }
    }
    // Offline clocks start at each sensor's newest reading; a sensor that never reported is not
    // offline but not yet installed (the map shows it as "no data").
    for (const s of this.sensorsById.values()) {
      const l = latest.get(s.id);
      if (s.enabled && l) engine.register(s.code, l.tsMs);
    }
    take(engine.tick(nowMs));
    return out;
  }

  /** Transitions that bring the database's open alarms in line with what the engine holds after warming. */
  private async reconcile(warm: AlarmTransition[], nowMs: number): Promise<QueuedTransition[]> {
    const engineOpen = new Map<string, { t: AlarmTransition; level: Level }>();
    const k = (ruleId: string, scope: string, subject: string) => `${ruleId}|${scope}|${subject}`;
    for (const t of warm) {
      const key = keyOf(t);
      const id = k(key.ruleId, key.scope, key.subject);
      if (t.kind === 'cleared') engineOpen.delete(id);
      else engineOpen.set(id, { t, level: t.level! });
    }
    const out: QueuedTransition[] = [];
    for (const a of await allOpenAlarms(this.deps.db)) {
      const id = k(a.ruleId, a.scope, a.subject);
      const held = engineOpen.get(id);
      if (held) {
        engineOpen.delete(id);
        if (held.level !== a.level) out.push(this.queued({ ...held.t, kind: 'level_changed', previousLevel: a.level, level: held.level }, null, true));
        continue;
      }
      const rule = this.ruleSet!.get(a.ruleId);
      const sensor = a.scope === 'sensor' ? this.sensors.get(a.subject) : undefined;
      const reason = !rule || !rule.enabled ? 'rule_removed' : a.scope === 'sensor' && (!sensor || !sensor.enabled) ? 'sensor_unbound' : undefined;
      const what = a.scope === 'sensor' ? a.subject : a.scope === 'point' ? `监测点 ${a.pointName ?? a.subject}` : `区域 ${a.regionName ?? a.subject}`;
      const message =
        reason === 'rule_removed'
          ? `${what} 规则 ${a.ruleId} 已删除或停用，报警关闭`
          : reason === 'sensor_unbound'
            ? `${what} 规则 ${a.ruleId} 不再适用于该传感器，报警关闭`
            : `${what} ${a.ruleName ?? a.ruleId} 服务重启后复核已恢复正常，报警解除`;
      out.push({
        t: {
          ruleId: a.ruleId, ruleVersion: a.ruleVersion, ruleKind: a.ruleKind, scope: a.scope, [a.scope]: a.subject,
          kind: 'cleared', level: null, previousLevel: a.level, value: null, ts: nowMs, message, ...(reason ? { reason } : {}),
        },
        meta: null,
        receivedAtMs: null,
        restored: true,
      });
    }
    for (const { t, level } of engineOpen.values()) out.push(this.queued({ ...t, kind: 'raised', level, previousLevel: null }, null, true));
    return out;
  }
}
