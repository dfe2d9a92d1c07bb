import model from '../../data/models/attenuation.json' with { type: 'json' };
import type { IntensityRegion, QuakeEvent } from '../types.ts';
import { attenuationRegion } from './region.ts';
import { fillIntensityGuided } from './intensity-guide.ts';

/** One axis of the 汪素云 et al. (2000) relation: I = A + B·Ms + C·ln(R + R0). */
export interface AxisCoefficients { A: number; B: number; C: number; R0: number }

export const KM_PER_DEG = (Math.PI * 6371.0088) / 180; // mean Earth radius (IUGG)
const INTENSITY_CAP = model.maxIntensity;
/** Standard deviation of the relation's residuals, in intensity degrees (see attenuation.json). */
export const INTENSITY_SIGMA: number = model.intensitySigma.value;
/** Lowest intensity the field reports: degree I of the scale ("not felt") is its floor. */
const INTENSITY_FLOOR = 1;
/** Intensity step of the radius table; interpolation inside a step keeps the error well below 0.01°. */
const TABLE_STEP = 0.01;
/** Stands in for 1/r² when an axis has shrunk to zero, finite so that 0·TINY_R2 stays 0. */
const DEGENERATE_INV_R2 = 1e30;

export function coefficients(region: IntensityRegion): { long: AxisCoefficients; short: AxisCoefficients } {
  return model.regions[region];
}

export function axisRadiusKm(c: AxisCoefficients, magnitude: number, intensity: number): number {
  return Math.exp((intensity - c.A - c.B * magnitude) / c.C) - c.R0;
}

export function axisIntensity(c: AxisCoefficients, magnitude: number, distanceKm: number): number {
  return c.A + c.B * magnitude + c.C * Math.log(distanceKm + c.R0);
}

/** Ms → Mw (Scordilis 2006); only used to size the rupture line, so only the Ms ≥ 6.2 branch is needed. */
export function momentMagnitude(ms: number): number {
  return model.rupture.msToMw.slope * ms + model.rupture.msToMw.intercept;
}

/** Surface rupture length (Wells & Coppersmith 1994, all slip types) for Ms ≥ 7.5, else 0 (point source). */
export function ruptureLengthKm(ms: number): number {
  const r = model.rupture;
  if (ms < r.minMagnitude) return 0;
  return 10 ** (r.wellsCoppersmithSRL.a + r.wellsCoppersmithSRL.b * momentMagnitude(ms));
}

/**
 * Epicentral intensity: both axis relations evaluated at R = 0, the lower of the two, capped.
 * It is the largest I whose isoseismal still has two non-negative axes, i.e. the intensity the
 * containment rule gives at the epicentre (and along the whole rupture line for great events).
 */
export function epicentralIntensity(event: QuakeEvent, region: IntensityRegion): number {
  const { long, short } = coefficients(region);
  const i0 = Math.min(axisIntensity(long, event.magnitude, 0), axisIntensity(short, event.magnitude, 0));
  return Math.min(INTENSITY_CAP, i0);
}

/** The isoseismal actually used for intensity I: half-axes along (a) and across (b) strike and half rupture length. */
export interface IsoseismalShape { aKm: number; bKm: number; halfLengthKm: number; oriented: boolean }

/**
 * Without a strike the ellipse cannot be oriented; we use the circle of equal area (r² = a·b,
 * plus the rupture band 2·b·L/π) so that areas, and thus exposed population on average, do not
 * depend on the missing orientation.
 */
export function isoseismalAxes(event: QuakeEvent, intensity: number, region: IntensityRegion = attenuationRegion(event.lon)): IsoseismalShape {
  const { long, short } = coefficients(region);
  const m = event.magnitude;
  const oriented = event.strikeDeg !== undefined && Number.isFinite(event.strikeDeg);
  const length = ruptureLengthKm(m);
  if (intensity > epicentralIntensity(event, region) + 1e-12 || intensity > INTENSITY_CAP) {
    return { aKm: 0, bKm: 0, halfLengthKm: oriented ? length / 2 : 0, oriented };
  }
  const a = Math.max(0, axisRadiusKm(long, m, intensity));
  // The published short-axis relation crosses the long one at high intensity; never let b exceed a.
  const b = Math.min(a, Math.max(0, axisRadiusKm(short, m, intensity)));
  if (oriented) return { aKm: a, bKm: b, halfLengthKm: length / 2, oriented };
  const r = Math.sqrt(a * b + (2 * b * length) / Math.PI);
  return { aKm: r, bKm: r, halfLengthKm: 0, oriented };
}

/** Area inside the isoseismal of intensity I: ellipse π·a·b plus the rupture band 2·b·L. */
export function isoseismalAreaKm2(shape: IsoseismalShape): number {
  return Math.PI * shape.aKm * shape.bKm + 4 * shape.bKm * shape.halfLengthKm;
}

/**
 * Everything the per-point loop needs, computed once per event: the local projection and a
 * table of 1/a² and 1/b² on a fine intensity grid, so a point costs a binary search of
 * multiply-adds and no transcendental function.
 */
export interface IntensityModel {
  lon0: number; lat0: number;
  kx: number; ky: number;                 // km per degree of longitude / latitude at the epicentre
  sinS: number; cosS: number;             // strike direction (east, north components)
  halfLengthKm: number;                   // half rupture length along strike (0: point source)
  epicentral: number;
  iMin: number; step: number; n: number;  // node k has intensity iMin + k·step; node n-1 = epicentral
  invA2: Float64Array; invB2: Float64Array;
}

export function prepareIntensityModel(event: QuakeEvent, region: IntensityRegion): IntensityModel {
  const i0 = epicentralIntensity(event, region);
  const iMin = Math.min(INTENSITY_FLOOR, i0);
  const n = Math.max(2, Math.ceil((i0 - iMin) / TABLE_STEP) + 1);
  const step = (i0 - iMin) / (n - 1);
  const invA2 = new Float64Array(n);
  const invB2 = new Float64Array(n);
  let half = 0;
  for (let k = 0; k < n; k++) {
    const s = isoseismalAxes(event, k === n - 1 ? i0 : iMin + k * step, region);
    invA2[k] = s.aKm > 1e-9 ? 1 / (s.aKm * s.aKm) : DEGENERATE_INV_R2;
    invB2[k] = s.bKm > 1e-9 ? 1 / (s.bKm * s.bKm) : DEGENERATE_INV_R2;
    half = s.halfLengthKm;
  }
  const oriented = event.strikeDeg !== undefined && Number.isFinite(event.strikeDeg);
  const strike = ((oriented ? event.strikeDeg! : 0) * Math.PI) / 180;
  return {
    lon0: event.lon, lat0: event.lat,
    kx: KM_PER_DEG * Math.cos((event.lat * Math.PI) / 180), ky: KM_PER_DEG,
    sinS: Math.sin(strike), cosS: Math.cos(strike),
    halfLengthKm: half, epicentral: i0, iMin, step, n, invA2, invB2,
  };
}

/** Intensity at one point (u along strike, v across, km, before the rupture shift). */
export function intensityAtOffset(m: IntensityModel, uKm: number, vKm: number): number {
  let u = Math.abs(uKm) - m.halfLengthKm; // distance beyond the rupture end, along strike
  if (u < 0) u = 0;
  const u2 = u * u;
  const v2 = vKm * vKm;
  const ia = m.invA2, ib = m.invB2;
  const g0 = u2 * ia[0] + v2 * ib[0];
  if (g0 > 1) return m.iMin;
  let lo = 0, hi = m.n - 1;
  let gHi = u2 * ia[hi] + v2 * ib[hi];
  if (gHi <= 1) return m.epicentral;
  let gLo = g0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const g = u2 * ia[mid] + v2 * ib[mid];
    if (g <= 1) { lo = mid; gLo = g; } else { hi = mid; gHi = g; }
  }
  return m.iMin + (lo + (1 - gLo) / (gHi - gLo)) * m.step;
}

/** Rotate a local east/north offset (km) into along/across-strike coordinates. */
export function intensityAtLonLat(m: IntensityModel, lon: number, lat: number): number {
  const dx = (lon - m.lon0) * m.kx;
  const dy = (lat - m.lat0) * m.ky;
  return intensityAtOffset(m, dx * m.sinS + dy * m.cosS, dx * m.cosS - dy * m.sinS);
}

/**
 * Fills out[i - start] for rows start..end-1, no allocation per row: the values of
 * intensityAtLonLat bit for bit, with the table node guessed instead of searched (intensity-guide.ts).
 */
export function fillIntensity(m: IntensityModel, lon: Float64Array, lat: Float64Array, start: number, end: number, out: Float32Array): void {
  fillIntensityGuided(m, lon, lat, start, end, out);
}

/**
 * Intensity of the 汪素云 (2000) elliptical model at every point: the largest I whose isoseismal
 * contains the point. Long axis along strike; for Ms ≥ 7.5 distances are measured to a rupture
 * line of Wells & Coppersmith length centred on the epicentre. Epicentral distance, not
 * hypocentral: the relation was regressed on isoseismal radii measured from the epicentre.
 */
export function intensityField(event: QuakeEvent, lon: Float64Array, lat: Float64Array, out: Float32Array, region: IntensityRegion): void {
  fillIntensity(prepareIntensityModel(event, region), lon, lat, 0, lon.length, out);
}
