/**
 * What each kind of demo sensor reports when nothing is scripted, plus how the scripted events
 * (scenario.ts) show in it. Numbers are chosen for 泸定: the dry-hot valley of the 大渡河 at about
 * 1,300 m (annual mean 16.5 °C, January about 7.5 °C, July about 22.7 °C), a river regulated by the
 * 泸定水电站 2.5 km upstream of the town, slow-creeping slopes after the 2022 earthquake.
 *
 * Every noise term is bounded, so the normal state never crosses a threshold of the demo network
 * (demo-monitoring.ts); only the scripted events do. The tests hold the network to that.
 */
import { jitter, roundTo, unit, wander } from './noise.ts';
import { distanceKm, gasExcess, gustShape, stormCumulative, type Scenario } from './scenario.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Asia/Shanghai has no daylight saving: local time is UTC + 8 h all year. */
const LOCAL_OFFSET_MS = 8 * HOUR_MS;

export type SimSpec =
  /** Rain in the interval ending at the reading (mm); `stormOrder` puts the gauge in the storm rotation. */
  | { kind: 'rain'; stormOrder?: number }
  /** A river stage (m): season, hydropower peaking upstream, slow wander, and the flood wave of a storm within `catchmentKm`. */
  | { kind: 'river'; base: number; seasonal: number; peaking: number; stormGain: number; catchmentKm: number; lagMin: number; widthMin: number }
  /** A daily-regulated reservoir (m): drawn down by day, refilled by night. */
  | { kind: 'reservoir'; mean: number; daily: number }
  /** Dam seepage (L/s) following the level of the reservoir sensor `reservoir.code`. */
  | { kind: 'seepage'; base: number; perMetre: number; reservoir: { code: string; mean: number; daily: number } }
  /** %LEL: zero most of the time; `leakOrder` puts the detector in the leak rotation. */
  | { kind: 'gas'; leakOrder?: number }
  /** Underground tank (m): sold down by day, one delivery a day at `deliveryHour` local time back to `full`. */
  | { kind: 'tank_level'; full: number; deliveryHour: number; dayRate: number; nightRate: number }
  | { kind: 'tank_temperature'; mean: number }
  /** Cumulative displacement (mm) creeping from `base` at `perDay` since the sensor was registered. */
  | { kind: 'gnss'; base: number; perDay: number }
  | { kind: 'crack'; base: number; perDay: number }
  /** Bridge strain (με) from temperature and passing trucks; `scale` for a gauge away from mid-span. */
  | { kind: 'strain'; scale: number }
  | { kind: 'deflection' }
  /** Wind (m/s): the valley's afternoon up-valley wind; `gust` is the share of the scripted gale this spot feels. */
  | { kind: 'wind'; exposure: number; gust: number }
  | { kind: 'air_temperature' }
  /** Gas network pressure (MPa), dipping at meal times. */
  | { kind: 'pressure'; operating: number };

/** One registered demo sensor as the simulator runs it. */
export interface SimSensor {
  code: string;
  spec: SimSpec;
  intervalSec: number;
  lon: number;
  lat: number;
  /** Registration time: creep counts from here, so thresholds set at seeding stay ahead for months. */
  originMs: number;
  rangeMin: number | null;
  rangeMax: number | null;
}

/** Readings of these kinds are the amount of one interval, not a state: no reading off the sampling grid. */
export function isIncrement(spec: SimSpec): boolean {
  return spec.kind === 'rain';
}

function localHour(tMs: number): number {
  return (((tMs + LOCAL_OFFSET_MS) / HOUR_MS) % 24 + 24) % 24;
}

/** 1 in mid-July, −1 in mid-January. */
function season(tMs: number): number {
  const dayOfYear = (((tMs + LOCAL_OFFSET_MS) / DAY_MS) % 365.2425 + 365.2425) % 365.2425;
  return Math.cos((2 * Math.PI * (dayOfYear - 199)) / 365.2425);
}

/** A bump around hour `centre` of the day, width `width` hours, wrapping over midnight. */
function dailyBump(tMs: number, centre: number, width: number): number {
  let d = Math.abs(localHour(tMs) - centre);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * width * width));
}

function cosHour(tMs: number, peakHour: number): number {
  return Math.cos((2 * Math.PI * (localHour(tMs) - peakHour)) / 24);
}

const DECIMALS: Record<SimSpec['kind'], number> = {
  rain: 1, river: 2, reservoir: 2, seepage: 2, gas: 1, tank_level: 3, tank_temperature: 1, gnss: 1, crack: 2, strain: 0, deflection: 1, wind: 1, air_temperature: 1, pressure: 3,
};

/** Rain (mm) at a spot over (fromMs, toMs]. Differences of rounded sums, so the readings of a storm add up to its rounded total at any interval. */
export function rainBetween(sc: Scenario, lon: number, lat: number, fromMs: number, toMs: number): number {
  let mm = 0;
  for (const p of sc.plansAround(fromMs, toMs, 1)) {
    if (!p.storm) continue;
    mm += roundTo(stormCumulative(p.storm, lon, lat, toMs), 1) - roundTo(stormCumulative(p.storm, lon, lat, fromMs), 1);
  }
  return roundTo(mm, 1);
}

function unroundedRain(sc: Scenario, lon: number, lat: number, fromMs: number, toMs: number): number {
  let mm = 0;
  for (const p of sc.plansAround(fromMs, toMs, 1)) if (p.storm) mm += stormCumulative(p.storm, lon, lat, toMs) - stormCumulative(p.storm, lon, lat, fromMs);
  return mm;
}

function floodWave(sc: Scenario, s: SimSensor, spec: Extract<SimSpec, { kind: 'river' }>, tMs: number): number {
  let rise = 0;
  // A wave lasts a few hours: look back 4 h of cycles for the storms that feed it.
  for (const p of sc.plansAround(tMs, tMs, 8)) {
    if (!p.storm) continue;
    // Rain anywhere within the catchment drains to the gauge, not only where the cell stood.
    const d = distanceKm(s.lon, s.lat, p.storm.lon, p.storm.lat);
    const drains = Math.exp(-(d * d) / (2 * spec.catchmentKm * spec.catchmentKm));
    const peakAt = p.storm.startMs + (p.storm.centreMin + spec.lagMin) * 60_000;
    const z = (tMs - peakAt) / (spec.widthMin * 60_000);
    rise += spec.stormGain * p.storm.total * drains * Math.exp(-(z * z) / 2);
  }
  return rise;
}

function reservoirLevel(seed: number, code: string, mean: number, daily: number, tMs: number): number {
  return mean + daily * cosHour(tMs, 5) + wander(seed, code, tMs, 0.06);
}

function tankLevel(spec: Extract<SimSpec, { kind: 'tank_level' }>, tMs: number): number {
  const rate = (t: number) => {
    const h = localHour(t);
    return h >= 7 && h < 22 ? spec.dayRate : spec.nightRate;
  };
  // Sales in m of level between two instants, an hour-boundary step at a time.
  const sold = (a: number, b: number) => {
    let sum = 0;
    for (let t = a; t < b; ) {
      const next = Math.min(b, (Math.floor((t + LOCAL_OFFSET_MS) / HOUR_MS) + 1) * HOUR_MS - LOCAL_OFFSET_MS);
      sum += (rate(t) * (next - t)) / HOUR_MS;
      t = next;
    }
    return sum;
  };
  const FILL_MS = 40 * 60_000;
  let delivery = Math.floor((tMs + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS + spec.deliveryHour * HOUR_MS;
  if (delivery > tMs) delivery -= DAY_MS;
  const filled = delivery + FILL_MS;
  const before = spec.full - sold(filled - DAY_MS, delivery);
  if (tMs < filled) return before + ((spec.full - before) * (tMs - delivery)) / FILL_MS;
  return spec.full - sold(filled, tMs);
}

/** Trucks on the bridge: one draw per minute, shared by every gauge of the bridge so they agree. */
function traffic(seed: number, tMs: number): number {
  const minute = Math.floor(tMs / 60_000);
  const u = unit(seed, 'bridge:traffic', minute);
  const v = unit(seed, 'bridge:load', minute);
  const night = localHour(tMs) < 6 ? 0.4 : 1;
  const load = u < 0.65 ? 8 + 25 * v : u < 0.93 ? 35 + 60 * v : 95 + 80 * v;
  return load * night;
}

function raw(sc: Scenario, s: SimSensor, tMs: number): number {
  const seed = sc.seed;
  const n = Math.floor(tMs / 1000);
  const spec = s.spec;
  switch (spec.kind) {
    case 'rain':
      return rainBetween(sc, s.lon, s.lat, tMs - s.intervalSec * 1000, tMs);
    case 'river': {
      const peaking = 0.6 * dailyBump(tMs, 10.5, 1.5) + 0.8 * dailyBump(tMs, 20, 1.5) - 0.3;
      return spec.base + spec.seasonal * season(tMs) + spec.peaking * peaking + wander(seed, s.code, tMs, 0.12) + floodWave(sc, s, spec, tMs) + jitter(seed, s.code, n, 0.01);
    }
    case 'reservoir':
      return reservoirLevel(seed, s.code, spec.mean, spec.daily, tMs) + jitter(seed, s.code, n, 0.01);
    case 'seepage': {
      const level = reservoirLevel(seed, spec.reservoir.code, spec.reservoir.mean, spec.reservoir.daily, tMs);
      return spec.base + spec.perMetre * (level - spec.reservoir.mean) + jitter(seed, s.code, n, 0.08);
    }
    case 'gas': {
      const background = unit(seed, s.code, n) < 0.8 ? 0 : 0.5 + 1.5 * unit(seed, `${s.code}:bg`, n);
      const plan = sc.plan(sc.cycleOf(tMs));
      if (!plan?.gas || plan.gas.code !== s.code) return background;
      const excess = gasExcess(plan.gas, tMs, jitter(seed, `${s.code}:leak`, n, 1.5));
      return Math.max(background, excess);
    }
    case 'tank_level':
      return tankLevel(spec, tMs) + jitter(seed, s.code, n, 0.002);
    case 'tank_temperature':
      return spec.mean + 2.5 * season(tMs) + 0.4 * cosHour(tMs, 16) + jitter(seed, s.code, n, 0.1);
    case 'gnss':
      return spec.base + (spec.perDay * Math.max(0, tMs - s.originMs)) / DAY_MS + jitter(seed, s.code, n, 1.2);
    case 'crack':
      return spec.base + (spec.perDay * Math.max(0, tMs - s.originMs)) / DAY_MS + 0.03 * cosHour(tMs, 15) + jitter(seed, s.code, n, 0.01);
    case 'strain':
      return spec.scale * (18 * cosHour(tMs, 15) + traffic(seed, tMs)) + jitter(seed, s.code, n, 2);
    case 'deflection':
      return 5 * cosHour(tMs, 15) + 0.17 * traffic(seed, tMs) + jitter(seed, s.code, n, 0.3);
    case 'wind': {
      const calm = spec.exposure * (1.2 + 3.8 * dailyBump(tMs, 16, 2.5) + Math.abs(jitter(seed, s.code, n, 1.2)));
      const plan = sc.plan(sc.cycleOf(tMs));
      if (!plan?.gust || spec.gust <= 0) return calm;
      const shape = gustShape(plan.gust, tMs);
      return Math.max(calm, shape * (spec.gust * plan.gust.peak + jitter(seed, `${s.code}:gust`, n, 0.5)));
    }
    case 'air_temperature': {
      // A storm over the station cools it by up to 3.5 °C (rain of the last half hour).
      const cooling = Math.min(3.5, 0.12 * unroundedRain(sc, s.lon, s.lat, tMs - 30 * 60_000, tMs));
      return 15.1 + 7.6 * season(tMs) + 5.5 * cosHour(tMs, 15) - cooling + jitter(seed, s.code, n, 0.3);
    }
    case 'pressure':
      return spec.operating - 0.022 * (dailyBump(tMs, 11.5, 1) + dailyBump(tMs, 18.5, 1)) + wander(seed, s.code, tMs, 0.004) + jitter(seed, s.code, n, 0.002);
    default: {
      const never: never = spec;
      throw new Error(`unknown simulated sensor kind ${JSON.stringify(never)}`);
    }
  }
}

/** The reading of sensor `s` at `tMs`: rounded as the instrument reports, inside its measuring range. */
export function valueAt(sc: Scenario, s: SimSensor, tMs: number): number {
  let v = roundTo(raw(sc, s, tMs), DECIMALS[s.spec.kind]);
  if (s.rangeMin !== null && v < s.rangeMin) v = s.rangeMin;
  if (s.rangeMax !== null && v > s.rangeMax) v = s.rangeMax;
  // -0 would print as "0" but compare oddly in JSON round trips.
  return v === 0 ? 0 : v;
}
