/**
 * The demo simulator: makes the demo network's sensors report, at their sampling intervals, the
 * values of models.ts and the scripted events of scenario.ts, through the same ingest as devices
 * (validation, storage, quarantine, the rule engine). One ingest call per tick, as a system actor
 * of national scope; a failed batch is logged and dropped, never thrown at the server.
 *
 * Only sensors the demo seed created are simulated (their ids are in the demo_monitoring setting):
 * a bureau's own sensor that happens to be called LD-RAIN-001 is left alone. Registry events make
 * it reload the list, so a sensor disabled, moved or deleted in the UI stops or follows at once.
 */
import { NATIONAL_SCOPE, type Clock, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Actor } from '../../caller.ts';
import type { EventBus } from '../../events/bus.ts';
import { DEMO_NETWORK, demoSensorDef, demoSensorIds } from '../../seed/demo-monitoring.ts';
import type { RawReading } from '../ingest/parse.ts';
import { sensorReadings, type IngestResult } from '../ingest/service.ts';
import * as registry from '../store.ts';
import { isIncrement, valueAt, type SimSensor } from './models.ts';
import { Scenario, STORM_EVERY_CYCLES, type StormTarget } from './scenario.ts';

export const SIMULATOR_ACTOR: Actor = { id: null, name: 'system:simulator', ip: null };
/** 5 September 2022, the 泸定 M6.8 earthquake. Any seed works; a fixed one makes every demo alike. */
export const DEFAULT_SEED = 20220905;
/** The fastest sensors of the network (gas detectors) report every 10 s. */
const DEFAULT_TICK_MS = 10_000;
/** After a pause longer than this (a laptop asleep) the gap stays a gap instead of a burst of old readings. */
const DEFAULT_MAX_CATCH_UP_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

export interface SimulatorLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SimulatorDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: SimulatorLog;
  readings: {
    ingest(who: { actor: Actor; scope: RegionScope }, items: RawReading[]): Promise<IngestResult>;
    /** An ingest that writes the database behind its answers: wait for it before reading rain back. */
    settled?(opts: { rollups?: boolean }): Promise<void>;
  };
}

export interface SimulatorOptions {
  seed?: number;
  tickMs?: number;
  /** Start of cycle 0 (the first gas leak 60 s later, the first storm 30 s later); default: when start() runs. */
  anchorMs?: number;
  maxCatchUpMs?: number;
}

export interface StepReport {
  sent: number;
  accepted: number;
  rejected: number;
  /** The ingest threw; the batch was dropped. */
  failed: boolean;
}

export interface DueReading {
  sensor: string;
  ts: number;
  value: number;
}

/**
 * Readings due in (fromMs, toMs]: each sensor on its sampling grid (multiples of its interval since
 * the epoch, so hourly sensors report on the hour). With `initialAt`, sensors of state (not
 * increments) also report at that instant, so that a fresh start shows values at once; off the
 * grid, it never collides with what an earlier run stored.
 */
export function dueReadings(sc: Scenario, sensors: readonly SimSensor[], fromMs: number, toMs: number, initialAt?: number): DueReading[] {
  const out: DueReading[] = [];
  for (const s of sensors) {
    const step = s.intervalSec * 1000;
    if (initialAt !== undefined && !isIncrement(s.spec) && initialAt % step !== 0) out.push({ sensor: s.code, ts: initialAt, value: valueAt(sc, s, initialAt) });
    for (let t = (Math.floor(fromMs / step) + 1) * step; t <= toMs; t += step) out.push({ sensor: s.code, ts: t, value: valueAt(sc, s, t) });
  }
  return out;
}

/** The scenario's rotation of storm gauges and leaking detectors among these sensors. */
export function scenarioFor(seed: number, anchorMs: number, sensors: readonly SimSensor[]): Scenario {
  const targets = sensors
    .flatMap((s) => (s.spec.kind === 'rain' && s.spec.stormOrder !== undefined ? [{ order: s.spec.stormOrder, target: { code: s.code, lon: s.lon, lat: s.lat } }] : []))
    .sort((a, b) => a.order - b.order)
    .map((x) => x.target);
  const leakers = sensors
    .flatMap((s) => (s.spec.kind === 'gas' && s.spec.leakOrder !== undefined ? [{ order: s.spec.leakOrder, code: s.code }] : []))
    .sort((a, b) => a.order - b.order)
    .map((x) => x.code);
  return new Scenario(seed, anchorMs, targets, leakers);
}

const REGISTRY_EVENT = /^monitoring\.(sensor_|point_|imported)/;

export class DemoSimulator {
  readonly seed: number;
  private readonly tickMs: number;
  private readonly maxCatchUpMs: number;
  private anchorMs: number | null;
  private sensors: SimSensor[] | null = null;
  /** Registry changes seen, and how many of them the loaded list reflects (a change during a load loads again). */
  private changes = 0;
  private loadedChanges = -1;
  private scenario: Scenario | null = null;
  /** Storm gauges decided so far, by cycle: kept across reloads so a reading never changes once sent. */
  private readonly stormTargets = new Map<number, string>();
  private lastMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private lastWarnAt = 0;

  constructor(
    private readonly deps: SimulatorDeps,
    opts: SimulatorOptions = {},
  ) {
    this.seed = opts.seed ?? DEFAULT_SEED;
    this.tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
    this.maxCatchUpMs = opts.maxCatchUpMs ?? DEFAULT_MAX_CATCH_UP_MS;
    this.anchorMs = opts.anchorMs ?? null;
  }

  /** True while the timer runs. */
  get active(): boolean {
    return this.timer !== null;
  }

  get simulatedSensors(): number {
    return this.sensors?.length ?? 0;
  }

  /** Loads the demo sensors and starts the timer; false (and idle) when the demo network does not exist. */
  async start(): Promise<boolean> {
    this.unsubscribe ??= this.deps.bus.subscribe((e) => {
      if (REGISTRY_EVENT.test(e.type)) this.changes++;
    });
    await this.reload();
    if (!this.sensors || this.sensors.length === 0) {
      this.deps.log.info({}, '演示监测网络不存在，模拟器未启动 (no demo monitoring network: simulator idle)');
      return false;
    }
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    this.tick();
    this.deps.log.info(
      { sensors: this.sensors.length, seed: this.seed, anchor: new Date(this.anchorMs!).toISOString() },
      '演示监测模拟器已启动 (demo simulator started): 约 2 分钟后加油站可燃气体报警，约 10 分钟后雨团所过乡镇（首次为泸桥镇）短时强降水报警；燃气泄漏每 30 分钟、暴雨每 4 小时重复',
    );
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.step()
      .then(
        () => undefined,
        (err: unknown) => this.deps.log.error({ err }, 'demo simulator: step failed'),
      )
      .finally(() => {
        this.running = null;
      });
  }

  private async reload(): Promise<void> {
    const { db } = this.deps;
    const seen = this.changes;
    const ids = await demoSensorIds(db);
    const codes = DEMO_NETWORK.flatMap((p) => p.sensors.map((s) => s.code));
    const views = ids.size === 0 ? [] : (await registry.findSensorsByCode(db, NATIONAL_SCOPE, codes)).filter((v) => ids.has(v.id) && v.enabled);
    const points = new Map((await registry.findPointsByIdOrName(db, NATIONAL_SCOPE, [...new Set(views.map((v) => v.pointId))], [])).map((p) => [p.id, p]));
    const sensors: SimSensor[] = [];
    for (const v of views) {
      const def = demoSensorDef(v.code);
      const point = points.get(v.pointId);
      if (!def || !point) continue;
      sensors.push({ code: v.code, spec: def.sim, intervalSec: v.samplingIntervalSec, lon: point.lon, lat: point.lat, originMs: new Date(v.createdAt).getTime(), rangeMin: v.rangeMin, rangeMax: v.rangeMax });
    }
    sensors.sort((a, b) => a.code.localeCompare(b.code));
    this.anchorMs ??= Math.floor(this.deps.clock.now().getTime() / 1000) * 1000;
    this.scenario = scenarioFor(this.seed, this.anchorMs, sensors);
    for (const [k, code] of this.stormTargets) {
      const target = this.scenario.targets.find((t) => t.code === code);
      if (target) this.scenario.chooseStormTarget(k, target);
    }
    this.sensors = sensors;
    this.loadedChanges = seen;
  }

  /**
   * Sends the readings due since the last step, up to `nowMs` (default: the clock), in one batch.
   * Tests drive it with synthetic times; the timer calls it with the clock.
   */
  async step(nowMs: number = this.deps.clock.now().getTime()): Promise<StepReport> {
    const report: StepReport = { sent: 0, accepted: 0, rejected: 0, failed: false };
    if (this.loadedChanges !== this.changes || this.scenario === null) await this.reload();
    const sc = this.scenario!;
    const first = this.lastMs === null;
    // A clock set back: wait until it passes the last step again rather than send duplicates.
    if (!first && nowMs <= this.lastMs!) return report;
    // The first step includes a reading due exactly now; later ones start after the last step.
    let from = this.lastMs ?? nowMs - 1;
    if (nowMs - from > this.maxCatchUpMs) {
      this.deps.log.warn({ gapMs: nowMs - from }, 'demo simulator: long pause, readings of the gap skipped');
      from = nowMs - this.maxCatchUpMs;
    }
    await this.decideStorms(sc, from, nowMs);
    const due = dueReadings(sc, this.sensors!, from, nowMs, first ? nowMs : undefined);
    this.lastMs = nowMs;
    if (due.length === 0) return report;
    const items: RawReading[] = due.map((r, index) => ({ index, item: { sensor: r.sensor, ts: new Date(r.ts).toISOString(), value: r.value } }));
    report.sent = items.length;
    try {
      const res = await this.deps.readings.ingest({ actor: SIMULATOR_ACTOR, scope: NATIONAL_SCOPE }, items);
      report.accepted = res.accepted;
      report.rejected = res.rejected.length;
      if (res.rejected.length > 0 && Date.now() - this.lastWarnAt > 60_000) {
        this.lastWarnAt = Date.now();
        const reasons: Record<string, number> = {};
        for (const r of res.rejected) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
        this.deps.log.warn({ reasons, example: res.rejected[0] }, 'demo simulator: readings rejected by the ingest');
      }
    } catch (err) {
      report.failed = true;
      this.deps.log.error({ err, readings: items.length }, 'demo simulator: ingest failed, batch dropped');
    }
    return report;
  }

  /**
   * Before a storm cycle is first computed, puts the cell over the rotation's gauge that had the
   * least rain in the 24 h before it (ties keep the rotation's order): after a restart, or with
   * recorded rain replayed, no gauge gets a second cell while the first still counts in its
   * 3–24 h sums.
   */
  private async decideStorms(sc: Scenario, fromMs: number, toMs: number): Promise<void> {
    for (let k = Math.max(0, sc.cycleOf(fromMs) - 1); k <= sc.cycleOf(toMs); k++) {
      if (!sc.stormDue(k) || sc.isPlanned(k) || this.stormTargets.has(k)) continue;
      const start = sc.cycleStart(k);
      const first = Math.floor(k / STORM_EVERY_CYCLES) % sc.targets.length;
      const order: StormTarget[] = [...sc.targets.slice(first), ...sc.targets.slice(0, first)];
      let best = order[0];
      try {
        await this.deps.readings.settled?.({ rollups: true });
        let least = Number.POSITIVE_INFINITY;
        for (const t of order) {
          const mm = await this.rainOver(t.code, start - DAY_MS, start);
          if (mm < least - 0.05) {
            least = mm;
            best = t;
          }
        }
      } catch (err) {
        this.deps.log.warn({ err }, 'demo simulator: could not read recent rain; the storm follows the rotation');
      }
      this.stormTargets.set(k, best.code);
      sc.chooseStormTarget(k, best);
    }
  }

  private async rainOver(code: string, fromMs: number, toMs: number): Promise<number> {
    const r = await sensorReadings(this.deps, NATIONAL_SCOPE, code, { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), resolution: 'minute' });
    let mm = 0;
    for (const p of r.points) if ('count' in p) mm += p.avg * p.count;
    return mm;
  }
}
