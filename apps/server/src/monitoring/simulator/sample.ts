/**
 * A recording of the demo network made by the simulator's models without a database, shipped as
 * apps/cli/examples/luding-storm.csv for `anlan monitoring replay`. Regenerate it with
 *
 *   node --import tsx apps/server/src/monitoring/simulator/sample.ts > apps/cli/examples/luding-storm.csv
 *
 * (a test fails when the file and this generator disagree).
 */
import { pathToFileURL } from 'node:url';
import { sensorType } from '../catalogue.ts';
import { DEMO_NETWORK } from '../../seed/demo-monitoring.ts';
import type { SimSensor } from './models.ts';
import { DEFAULT_SEED, dueReadings, scenarioFor, type DueReading } from './simulator.ts';

/** A July afternoon in the flood season: the first cycle's gas leak and the storm over 泸桥镇. */
export const SAMPLE_START = Date.parse('2025-07-18T14:00:00+08:00');
export const SAMPLE_MINUTES = 40;

/** The network as registered by the seed, without asking the database (catalogue defaults filled in). */
export function definedSensors(originMs: number): SimSensor[] {
  return DEMO_NETWORK.flatMap((p) =>
    p.sensors.map((s) => {
      const def = sensorType(s.type);
      return {
        code: s.code,
        spec: s.sim,
        intervalSec: s.samplingIntervalSec ?? def?.samplingIntervalSec ?? 600,
        lon: p.lon,
        lat: p.lat,
        originMs,
        rangeMin: s.rangeMin ?? def?.range?.min ?? null,
        rangeMax: s.rangeMax ?? def?.range?.max ?? null,
      };
    }),
  ).sort((a, b) => a.code.localeCompare(b.code));
}

export function recordSample(opts: { seed?: number; startMs?: number; minutes?: number } = {}): DueReading[] {
  const start = opts.startMs ?? SAMPLE_START;
  const sensors = definedSensors(start);
  const sc = scenarioFor(opts.seed ?? DEFAULT_SEED, start, sensors);
  // From the anchor itself, so the hourly GNSS reading at 14:00 is part of it.
  return dueReadings(sc, sensors, start - 1, start + (opts.minutes ?? SAMPLE_MINUTES) * 60_000).sort((a, b) => a.ts - b.ts || a.sensor.localeCompare(b.sensor));
}

/** 2025-07-18T14:00:10+08:00: the local time a bureau reads, with its offset. */
function beijingTime(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

export function sampleCsv(readings: DueReading[] = recordSample()): string {
  return `sensor,ts,value\n${readings.map((r) => `${r.sensor},${beijingTime(r.ts)},${r.value}`).join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(sampleCsv());
