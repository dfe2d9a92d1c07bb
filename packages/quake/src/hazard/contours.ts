import type { IntensityRegion, QuakeEvent } from '../types.ts';
import { epicentralIntensity, isoseismalAreaKm2, isoseismalAxes, KM_PER_DEG, type IsoseismalShape } from './attenuation.ts';

export const INTENSITY_BANDS = [6, 7, 8, 9, 10, 11, 12] as const;
export type IntensityBandKey = '6' | '7' | '8' | '9' | '10' | '11' | '12';
const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
/** Vertices per ellipse (the stadium gets this many plus its two seam corners). */
const VERTICES = 72;

export interface ContourFeature {
  type: 'Feature';
  properties: { intensity: number; roman: string; aKm: number; bKm: number; ruptureLengthKm: number; areaKm2: number };
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
}
export interface ContourCollection { type: 'FeatureCollection'; features: ContourFeature[] }

/** Area (km²) with intensity ≥ I for I = VI..XII, from the same shapes as the intensity field. */
export function areaKm2ByIntensity(event: QuakeEvent, region: IntensityRegion): Record<IntensityBandKey, number> {
  const out = {} as Record<IntensityBandKey, number>;
  for (const i of INTENSITY_BANDS) out[String(i) as IntensityBandKey] = isoseismalAreaKm2(isoseismalAxes(event, i, region));
  return out;
}

function ring(event: QuakeEvent, shape: IsoseismalShape): [number, number][] {
  const strike = ((shape.oriented ? event.strikeDeg! : 0) * Math.PI) / 180;
  const sinS = Math.sin(strike), cosS = Math.cos(strike);
  const kx = KM_PER_DEG * Math.cos((event.lat * Math.PI) / 180);
  const pts: [number, number][] = [];
  const push = (u: number, v: number): void => {
    // Inverse of the along/across rotation in attenuation.ts (that matrix is its own inverse).
    const dx = u * sinS + v * cosS;
    const dy = u * cosS - v * sinS;
    pts.push([event.lon + dx / kx, event.lat + dy / KM_PER_DEG]);
  };
  const { aKm: a, bKm: b, halfLengthKm: h } = shape;
  if (h > 0) {
    // Stadium: two half-ellipses at the rupture ends joined by straight sides.
    const perCap = VERTICES / 2 + 1;
    for (let k = 0; k < perCap; k++) { const t = -Math.PI / 2 + (Math.PI * k) / (perCap - 1); push(h + a * Math.cos(t), b * Math.sin(t)); }
    for (let k = 0; k < perCap; k++) { const t = Math.PI / 2 + (Math.PI * k) / (perCap - 1); push(-h + a * Math.cos(t), b * Math.sin(t)); }
  } else {
    for (let k = 0; k < VERTICES; k++) { const t = (2 * Math.PI * k) / VERTICES; push(a * Math.cos(t), b * Math.sin(t)); }
  }
  pts.push([pts[0][0], pts[0][1]]);
  // RFC 7946: exterior rings counter-clockwise. The rotation may mirror the ring, so check.
  let twiceArea = 0;
  for (let k = 0; k + 1 < pts.length; k++) twiceArea += pts[k][0] * pts[k + 1][1] - pts[k + 1][0] * pts[k][1];
  if (twiceArea < 0) pts.reverse();
  return pts;
}

/** Isoseismal polygons VI, VII, … up to the highest integer intensity reached, largest first. */
export function intensityContours(event: QuakeEvent, region: IntensityRegion): ContourCollection {
  const features: ContourFeature[] = [];
  const top = Math.floor(epicentralIntensity(event, region) + 1e-9);
  for (let i = 6; i <= top; i++) {
    const shape = isoseismalAxes(event, i, region);
    if (shape.aKm <= 0 || shape.bKm <= 0) break;
    features.push({
      type: 'Feature',
      properties: {
        intensity: i, roman: ROMAN[i], aKm: shape.aKm, bKm: shape.bKm,
        ruptureLengthKm: 2 * shape.halfLengthKm, areaKm2: isoseismalAreaKm2(shape),
      },
      geometry: { type: 'Polygon', coordinates: [ring(event, shape)] },
    });
  }
  return { type: 'FeatureCollection', features };
}
