/**
 * The work one thread does on one row range, the same in a worker and in the calling thread.
 */
import { assessRange, createAccumulators, type AssessAccumulators } from '../assess/assess.ts';
import { occupancyPeriod } from '../consequence/casualties.ts';
import type { ExposureColumns, IntensityRegion, QuakeEvent } from '../types.ts';

/** Rows [start, end) of the exposure. */
export interface RowRange { start: number; end: number }

/**
 * The row nearest the epicentre within 50 km over a range, computed exactly as
 * resolveAttenuationRegion does (same projection, same strict comparison), so that the nearest
 * rows of consecutive ranges, taken in order with a strict `<`, give the same row as one pass.
 */
export function nearestRow(event: QuakeEvent, exposure: ExposureColumns, start: number, end: number): { index: number; d2: number } {
  checkRange(exposure, start, end);
  const kx = Math.cos((event.lat * Math.PI) / 180);
  const { lon, lat } = exposure;
  const lon0 = event.lon, lat0 = event.lat;
  let best = -1, bestD2 = (50 / 111.2) ** 2;
  for (let i = start; i < end; i++) {
    const dx = (lon[i] - lon0) * kx, dy = lat[i] - lat0;
    const d2 = dx * dx + dy * dy;
    if (d2 < bestD2) { bestD2 = d2; best = i; }
  }
  return { index: best, d2: bestD2 };
}

/** One range of the assessment: fresh accumulators for the caller to merge. */
export function assessPart(event: QuakeEvent, exposure: ExposureColumns, start: number, end: number, region: IntensityRegion): AssessAccumulators {
  checkRange(exposure, start, end);
  const acc = createAccumulators(exposure.regions.length);
  assessRange(event, exposure, start, end, acc, { region });
  return acc;
}

/**
 * The memory floor: one pass over [start, end) reading every column the assessment reads (lon,
 * lat, regionIndex, classIndex, buildings, population, valueCny and the occupants of the event's
 * period), summing them so that nothing can be optimised away. Four independent sums keep the
 * additions off the critical path, so the loop runs at memory speed.
 */
export function scanPart(exposure: ExposureColumns, start: number, end: number, time?: string): number {
  checkRange(exposure, start, end);
  const { lon, lat, regionIndex, classIndex, buildings, population, valueCny } = exposure;
  const occupants = occupancyPeriod(time) === 'day' ? exposure.occupantsDay : exposure.occupantsNight;
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = start; i < end; i++) {
    a += lon[i] + lat[i];
    b += regionIndex[i] + classIndex[i];
    c += buildings[i] + population[i];
    d += valueCny[i] + occupants[i];
  }
  return a + b + c + d;
}

/** Cheap checks that turn a malformed exposure into an error instead of silent NaNs. */
function checkRange(exposure: ExposureColumns, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= exposure.count)) {
    throw new Error(`row range [${start}, ${end}) is outside the exposure (${exposure.count} rows)`);
  }
  for (const name of ['lon', 'lat', 'regionIndex', 'classIndex', 'buildings', 'population', 'valueCny', 'occupantsDay', 'occupantsNight'] as const) {
    const column = exposure[name];
    if (!ArrayBuffer.isView(column) || column.length < end) {
      throw new Error(`exposure column ${name} has ${ArrayBuffer.isView(column) ? column.length : 'no'} rows, fewer than the ${exposure.count} the exposure claims`);
    }
  }
}
