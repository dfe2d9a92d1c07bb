/**
 * The scripted part of the demo: a cycle of 30 minutes counted from the simulator's start, so a
 * newcomer sees an alarm within two minutes of `npm start` and again every half hour.
 *
 * - every cycle, from +60 s: a combustible-gas leak at the gas station, alternating between its
 *   two detectors, peaking at 31–37 %LEL for about four minutes (crosses 黄 25, never 红 50), then
 *   ventilated away;
 * - every 8th cycle (4 h), from +30 s: a convective cell of 27.5–29.5 mm in 20 minutes over one
 *   township rain gauge (the first over 泸桥镇); its 1 h sum passes 蓝 20 after about 8 minutes
 *   and 黄 25 after about 10, and stays under 橙 35. Every 4 h and not every cycle, because a
 *   gauge rained on every half hour would cross the 3 h, 6 h, 12 h and 24 h rainstorm thresholds
 *   within hours; with the runtime choosing the gauge that had the least rain (simulator.ts), no
 *   gauge gets two cells within 24 h, so its 24 h sum stays under 50 mm;
 * - every 4th cycle from the 3rd (+1 h, then every 2 h): a gale of 6–7 级 on the bridge deck
 *   (crosses 蓝 10.8 m/s there, not 黄 17.2; the sheltered weather station stays under 蓝).
 *
 * Everything is a pure function of the seed, the anchor and the time.
 */
import { normalCdf, unit } from './noise.ts';

export const CYCLE_MS = 30 * 60_000;
export const STORM_EVERY_CYCLES = 8;
export const GUST_EVERY_CYCLES = 4;
export const GUST_PHASE = 2;
/** Spread of a convective cell: its rain falls off as exp(−d²/2σ²) with σ = 3 km (about 7 km across at half rain). */
export const CELL_SIGMA_KM = 3;
export const STORM_MINUTES = 20;

export interface StormTarget {
  code: string;
  lon: number;
  lat: number;
}

export interface StormPlan extends StormTarget {
  startMs: number;
  /** mm at the cell's centre over its 20 minutes. */
  total: number;
  centreMin: number;
  sigmaMin: number;
}

export interface GasLeakPlan {
  code: string;
  startMs: number;
  peak: number;
}

export interface GustPlan {
  startMs: number;
  /** m/s on the exposed bridge deck. */
  peak: number;
}

export interface CyclePlan {
  index: number;
  startMs: number;
  gas: GasLeakPlan | null;
  storm: StormPlan | null;
  gust: GustPlan | null;
}

/** Kilometres between two WGS84 points (equirectangular: fine across a county). */
export function distanceKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dx = (lon1 - lon2) * 111.32 * Math.cos((((lat1 + lat2) / 2) * Math.PI) / 180);
  const dy = (lat1 - lat2) * 110.57;
  return Math.hypot(dx, dy);
}

export class Scenario {
  private readonly plans = new Map<number, CyclePlan>();
  private readonly chosen = new Map<number, StormTarget>();

  /**
   * @param targets rain gauges a cell may fall on, in the order of the default rotation
   * @param leakers gas detectors that leak, alternately
   */
  constructor(
    readonly seed: number,
    readonly anchorMs: number,
    readonly targets: readonly StormTarget[],
    readonly leakers: readonly string[],
  ) {}

  cycleOf(tMs: number): number {
    return Math.floor((tMs - this.anchorMs) / CYCLE_MS);
  }

  cycleStart(k: number): number {
    return this.anchorMs + k * CYCLE_MS;
  }

  stormDue(k: number): boolean {
    return k >= 0 && k % STORM_EVERY_CYCLES === 0 && this.targets.length > 0;
  }

  /** The rotation's gauge for the storm of cycle k; the runtime may choose another before the cycle is planned. */
  defaultStormTarget(k: number): StormTarget {
    return this.targets[Math.floor(k / STORM_EVERY_CYCLES) % this.targets.length];
  }

  isPlanned(k: number): boolean {
    return this.plans.has(k);
  }

  /** Where the storm of cycle k falls; only before anything of that cycle was computed, so no reading changes afterwards. */
  chooseStormTarget(k: number, target: StormTarget): void {
    if (this.plans.has(k)) throw new Error(`cycle ${k} is already planned`);
    this.chosen.set(k, target);
  }

  /** The events of cycle k; null before the anchor (the demo starts quiet). */
  plan(k: number): CyclePlan | null {
    if (k < 0) return null;
    let p = this.plans.get(k);
    if (p) return p;
    const startMs = this.cycleStart(k);
    const u = (what: string) => unit(this.seed, what, k);
    let storm: StormPlan | null = null;
    if (this.stormDue(k)) {
      const target = this.chosen.get(k) ?? this.defaultStormTarget(k);
      storm = { ...target, startMs: startMs + 30_000, total: 27.5 + 2 * u('storm:total'), centreMin: 5.5 + u('storm:centre'), sigmaMin: 3 + 0.5 * u('storm:sigma') };
    }
    p = {
      index: k,
      startMs,
      gas: this.leakers.length > 0 ? { code: this.leakers[k % this.leakers.length], startMs: startMs + 60_000, peak: 31 + 6 * u('gas:peak') } : null,
      storm,
      gust: k % GUST_EVERY_CYCLES === GUST_PHASE ? { startMs: startMs + 60_000, peak: 13.4 + 1.2 * u('gust:peak') } : null,
    };
    this.plans.set(k, p);
    return p;
  }

  /** Plans of the cycles from `fromMs` back `lookbackCycles` cycles, up to `toMs`. */
  plansAround(fromMs: number, toMs: number, lookbackCycles: number): CyclePlan[] {
    const out: CyclePlan[] = [];
    for (let k = this.cycleOf(fromMs) - lookbackCycles; k <= this.cycleOf(toMs); k++) {
      const p = this.plan(k);
      if (p) out.push(p);
    }
    return out;
  }
}

// ---- profiles ----

/** Rain (mm, unrounded) the storm has dropped at a spot from its start until t. */
export function stormCumulative(storm: StormPlan, lon: number, lat: number, tMs: number): number {
  const d = distanceKm(lon, lat, storm.lon, storm.lat);
  const factor = Math.exp(-(d * d) / (2 * CELL_SIGMA_KM * CELL_SIGMA_KM));
  if (factor < 1e-4) return 0;
  const tau = Math.min(Math.max((tMs - storm.startMs) / 60_000, 0), STORM_MINUTES);
  // A Gaussian burst cut to the cell's 20 minutes and scaled so that the whole cell is `total`.
  const lo = normalCdf(-storm.centreMin / storm.sigmaMin);
  const hi = normalCdf((STORM_MINUTES - storm.centreMin) / storm.sigmaMin);
  const at = normalCdf((tau - storm.centreMin) / storm.sigmaMin);
  return (storm.total * factor * (at - lo)) / (hi - lo);
}

/** %LEL above background at the leaking detector: rises 70 s, holds about 150 s, ventilated with τ = 50 s. */
export function gasExcess(leak: GasLeakPlan, tMs: number, holdJitter: number): number {
  const s = (tMs - leak.startMs) / 1000;
  if (s <= 0) return 0;
  if (s < 70) return (leak.peak * s) / 70;
  if (s < 220) return leak.peak + holdJitter;
  return leak.peak * Math.exp(-(s - 220) / 50);
}

/** 0 … 1: the gale builds for 90 s, blows 4 minutes, and dies down in 90 s. */
export function gustShape(gust: GustPlan, tMs: number): number {
  const s = (tMs - gust.startMs) / 1000;
  if (s <= 0 || s >= 420) return 0;
  if (s < 90) return s / 90;
  if (s < 330) return 1;
  return (420 - s) / 90;
}
