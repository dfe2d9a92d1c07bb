import { fillIntensity, INTENSITY_SIGMA, prepareIntensityModel } from '../hazard/attenuation.ts';
import { areaKm2ByIntensity, intensityContours, type ContourCollection, type IntensityBandKey } from '../hazard/contours.ts';
import { attenuationRegion } from '../hazard/region.ts';
import { DEATHS_BETA, INJURIES_BETA, occupancyPeriod } from '../consequence/casualties.ts';
import { LOSS_BETA } from '../consequence/loss.ts';
import { PAGER_MAX_BIN, pagerAlert, pagerDeaths, pagerRange, type PagerAlert } from '../consequence/pager.ts';
import { intensityRange, type Range } from '../consequence/range.ts';
import { DAMAGE_STATES, type ExposureColumns, type IntensityRegion, type QuakeEvent } from '../types.ts';
import {
  BAND_COUNT, BAND_MIN, createAccumulators, F_DEATHS, F_DEATHS_HI, F_DEATHS_LO, F_EXPOSED, F_INJURIES, F_INJURIES_HI,
  F_INJURIES_LO, F_LOSS, F_LOSS_HI, F_LOSS_LO, F_POPULATION, F_ROWS, REGION_FIELDS, type AssessAccumulators,
} from './accumulators.ts';
import { K_DEATH, K_FIELDS, K_INJURY, K_LOSS, KERNEL, KERNEL_MIN_INTENSITY, KERNEL_NODES } from './kernel.ts';

export { createAccumulators, mergeAccumulators, type AssessAccumulators } from './accumulators.ts';

export interface AssessOptions { region?: IntensityRegion }

export interface RegionResult {
  code: string; name: string;
  maxIntensity: number;
  population: number;
  exposedPopulation: number;        // population at intensity ≥ VI
  buildingsByDamageState: number[]; // DAMAGE_STATES order
  deaths: number; injuries: number; lossCny: number;
}

export interface AssessmentResult {
  attenuationRegion: IntensityRegion;
  occupancy: 'day' | 'night';
  /** Highest intensity over the exposure rows (where people and buildings are). */
  maxIntensity: number;
  /** Model intensity at the epicentre (and along the rupture line), capped at XII. */
  epicentralIntensity: number;
  areaKm2ByIntensity: Record<IntensityBandKey, number>;
  /** Population whose intensity band is exactly that integer: floor(I) = key (XII includes I = 12). */
  exposedPopulationByIntensity: Record<IntensityBandKey, number>;
  /** Population with intensity ≥ key (cumulative from the top). */
  exposedPopulationAtLeast: Record<IntensityBandKey, number>;
  damageStates: readonly string[];
  buildingsByDamageState: number[];
  deaths: Range; injuries: Range; economicLossCny: Range;
  pager: { deaths: Range; alert: PagerAlert; populationByIntensity: number[] };
  pagerAlert: PagerAlert;
  regions: RegionResult[];
  contours: ContourCollection;
}

/** Rows per intensity chunk: small enough to stay in L1/L2 cache, large enough to amortise the call. */
const CHUNK = 4096;

/**
 * Accumulates rows [start, end) into `acc`. This is the whole per-row chain — intensity,
 * damage, loss, casualties, exposure — with no allocation per row, so a worker pool can run
 * it on row ranges and merge the accumulators. Deaths, injuries and loss are also accumulated
 * at I − σ and I + σ (σ of the attenuation relation) for the range: two more kernel
 * interpolations per row, not two more passes.
 */
export function assessRange(
  event: QuakeEvent, exposure: ExposureColumns, start: number, end: number, acc: AssessAccumulators, opts: AssessOptions = {},
): void {
  const model = prepareIntensityModel(event, opts.region ?? attenuationRegion(event.lon));
  const occupants = occupancyPeriod(event.time) === 'day' ? exposure.occupantsDay : exposure.occupantsNight;
  const { lon, lat, regionIndex, classIndex, buildings, population, valueCny } = exposure;
  const reg = acc.region, rmax = acc.regionMaxIntensity, band = acc.bandPopulation, pager = acc.pagerPopulation;
  const scratch = new Float32Array(Math.min(CHUNK, Math.max(0, end - start)));
  const kMax = KERNEL_NODES - 2;
  const iMin = KERNEL_MIN_INTENSITY, iTop = KERNEL_MIN_INTENSITY + KERNEL_NODES - 1;
  const sigma = INTENSITY_SIGMA;
  for (let s = start; s < end; s += CHUNK) {
    const e = Math.min(end, s + CHUNK);
    fillIntensity(model, lon, lat, s, e, scratch);
    for (let i = s; i < e; i++) {
      const intensity = scratch[i - s];
      const r = regionIndex[i];
      const base = r * REGION_FIELDS;
      const pop = population[i];
      reg[base + F_POPULATION] += pop;
      reg[base + F_ROWS] += 1;
      if (intensity > rmax[r]) rmax[r] = intensity;
      let pb = Math.floor(intensity + 0.5);
      if (pb > PAGER_MAX_BIN) pb = PAGER_MAX_BIN;
      pager[pb] += pop;
      if (intensity >= BAND_MIN) {
        let b = Math.floor(intensity) - BAND_MIN;
        if (b >= BAND_COUNT) b = BAND_COUNT - 1;
        band[b] += pop;
        reg[base + F_EXPOSED] += pop;
      }
      const bld = buildings[i];
      if (intensity + sigma <= iMin) { reg[base] += bld; continue; } // at IV or below nothing is damaged, even one σ up
      const cb = classIndex[i] * KERNEL_NODES;
      const occ = occupants[i], val = valueCny[i];
      // Median: the row's intensity (kernel position clamped to [IV, XII]).
      let x = (intensity < iTop ? (intensity > iMin ? intensity : iMin) : iTop) - iMin;
      let k = Math.floor(x);
      if (k > kMax) k = kMax;
      let t = x - k, w = 1 - t;
      let o = (cb + k) * K_FIELDS, o1 = o + K_FIELDS;
      reg[base] += bld * (w * KERNEL[o] + t * KERNEL[o1]);
      reg[base + 1] += bld * (w * KERNEL[o + 1] + t * KERNEL[o1 + 1]);
      reg[base + 2] += bld * (w * KERNEL[o + 2] + t * KERNEL[o1 + 2]);
      reg[base + 3] += bld * (w * KERNEL[o + 3] + t * KERNEL[o1 + 3]);
      reg[base + 4] += bld * (w * KERNEL[o + 4] + t * KERNEL[o1 + 4]);
      reg[base + F_DEATHS] += occ * (w * KERNEL[o + K_DEATH] + t * KERNEL[o1 + K_DEATH]);
      reg[base + F_INJURIES] += occ * (w * KERNEL[o + K_INJURY] + t * KERNEL[o1 + K_INJURY]);
      reg[base + F_LOSS] += val * (w * KERNEL[o + K_LOSS] + t * KERNEL[o1 + K_LOSS]);
      // Range: the same consequences one σ below and one σ above (two more interpolations).
      const lo = intensity - sigma;
      if (lo > iMin) {
        x = (lo < iTop ? lo : iTop) - iMin;
        k = Math.floor(x);
        if (k > kMax) k = kMax;
        t = x - k; w = 1 - t;
        o = (cb + k) * K_FIELDS; o1 = o + K_FIELDS;
        reg[base + F_DEATHS_LO] += occ * (w * KERNEL[o + K_DEATH] + t * KERNEL[o1 + K_DEATH]);
        reg[base + F_INJURIES_LO] += occ * (w * KERNEL[o + K_INJURY] + t * KERNEL[o1 + K_INJURY]);
        reg[base + F_LOSS_LO] += val * (w * KERNEL[o + K_LOSS] + t * KERNEL[o1 + K_LOSS]);
      }
      const hi = intensity + sigma; // > iMin here
      x = (hi < iTop ? hi : iTop) - iMin;
      k = Math.floor(x);
      if (k > kMax) k = kMax;
      t = x - k; w = 1 - t;
      o = (cb + k) * K_FIELDS; o1 = o + K_FIELDS;
      reg[base + F_DEATHS_HI] += occ * (w * KERNEL[o + K_DEATH] + t * KERNEL[o1 + K_DEATH]);
      reg[base + F_INJURIES_HI] += occ * (w * KERNEL[o + K_INJURY] + t * KERNEL[o1 + K_INJURY]);
      reg[base + F_LOSS_HI] += val * (w * KERNEL[o + K_LOSS] + t * KERNEL[o1 + K_LOSS]);
    }
  }
}

/**
 * East or west coefficients: the caller's choice, else the province of the exposure row
 * nearest the epicentre (within 50 km), else the epicentre longitude (see east-west.json).
 */
export function resolveAttenuationRegion(event: QuakeEvent, exposure: ExposureColumns, opts: AssessOptions = {}): IntensityRegion {
  if (opts.region) return opts.region;
  const kx = Math.cos((event.lat * Math.PI) / 180);
  let best = -1, bestD2 = (50 / 111.2) ** 2;
  for (let i = 0; i < exposure.count; i++) {
    const dx = (exposure.lon[i] - event.lon) * kx, dy = exposure.lat[i] - event.lat;
    const d2 = dx * dx + dy * dy;
    if (d2 < bestD2) { bestD2 = d2; best = i; }
  }
  const code = best >= 0 ? exposure.regions[exposure.regionIndex[best]]?.code : undefined;
  return attenuationRegion(event.lon, code);
}

const bandKeys = (): IntensityBandKey[] => Array.from({ length: BAND_COUNT }, (_, k) => String(BAND_MIN + k) as IntensityBandKey);

/** Turns merged accumulators into the result; totals are sums over regions by construction. */
export function summarize(event: QuakeEvent, exposure: ExposureColumns, acc: AssessAccumulators, region: IntensityRegion): AssessmentResult {
  const regions: RegionResult[] = [];
  const totals = new Float64Array(REGION_FIELDS);
  let maxIntensity = 0;
  for (let r = 0; r < exposure.regions.length; r++) {
    const base = r * REGION_FIELDS;
    if (acc.region[base + F_ROWS] === 0) continue;
    for (let f = 0; f < REGION_FIELDS; f++) totals[f] += acc.region[base + f];
    const mi = acc.regionMaxIntensity[r];
    if (mi > maxIntensity) maxIntensity = mi;
    regions.push({
      code: exposure.regions[r].code, name: exposure.regions[r].name, maxIntensity: mi,
      population: acc.region[base + F_POPULATION], exposedPopulation: acc.region[base + F_EXPOSED],
      buildingsByDamageState: Array.from(acc.region.subarray(base, base + DAMAGE_STATES.length)),
      deaths: acc.region[base + F_DEATHS], injuries: acc.region[base + F_INJURIES], lossCny: acc.region[base + F_LOSS],
    });
  }
  regions.sort((a, b) => b.deaths - a.deaths || b.exposedPopulation - a.exposedPopulation || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const keys = bandKeys();
  const exact = {} as Record<IntensityBandKey, number>;
  const atLeast = {} as Record<IntensityBandKey, number>;
  let cum = 0;
  for (let k = BAND_COUNT - 1; k >= 0; k--) {
    exact[keys[k]] = acc.bandPopulation[k];
    cum += acc.bandPopulation[k];
    atLeast[keys[k]] = cum;
  }
  const pagerMedian = pagerDeaths(acc.pagerPopulation);
  const alert = pagerAlert(pagerMedian);
  const model = prepareIntensityModel(event, region);
  return {
    attenuationRegion: region,
    occupancy: occupancyPeriod(event.time),
    maxIntensity,
    epicentralIntensity: model.epicentral,
    areaKm2ByIntensity: areaKm2ByIntensity(event, region),
    exposedPopulationByIntensity: exact,
    exposedPopulationAtLeast: atLeast,
    damageStates: DAMAGE_STATES,
    buildingsByDamageState: Array.from(totals.subarray(0, DAMAGE_STATES.length)),
    deaths: intensityRange(totals[F_DEATHS], totals[F_DEATHS_LO], totals[F_DEATHS_HI], DEATHS_BETA),
    injuries: intensityRange(totals[F_INJURIES], totals[F_INJURIES_LO], totals[F_INJURIES_HI], INJURIES_BETA),
    economicLossCny: intensityRange(totals[F_LOSS], totals[F_LOSS_LO], totals[F_LOSS_HI], LOSS_BETA),
    pager: { deaths: pagerRange(pagerMedian), alert, populationByIntensity: Array.from(acc.pagerPopulation) },
    pagerAlert: alert,
    regions,
    contours: intensityContours(event, region),
  };
}

/** Rapid assessment of one event over a columnar exposure, single thread. */
export function assess(event: QuakeEvent, exposure: ExposureColumns, opts: AssessOptions = {}): AssessmentResult {
  const region = resolveAttenuationRegion(event, exposure, opts);
  const acc = createAccumulators(exposure.regions.length);
  assessRange(event, exposure, 0, exposure.count, acc, { region });
  return summarize(event, exposure, acc, region);
}
