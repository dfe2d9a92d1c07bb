import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import {
  assess,
  bboxAround,
  exposureRadiusKm,
  loadNationalExposure,
  parseEvent,
  readExposureCache,
  readInventory,
  DAMAGE_STATES,
  affectedRegions,
  type AssessmentResult,
  type ExposureColumns,
  type QuakeEvent,
} from '@anlan/quake';
import { UsageError } from '../options.ts';
import { quakeBenchCommand } from './quake-bench.ts';

export const QUAKE_HELP = `anlan quake assess --lon DEG --lat DEG --depth KM --mag MS [--strike DEG] [--time ISO]
                   [--exposure FILE] [--json] [--out DIR]

Rapid earthquake loss assessment: intensity field, building damage, deaths and injuries, economic
loss, per county. Without --exposure it uses the national default exposure shipped with Anlan
(2020 census, spread over each county); --exposure takes a building inventory (CSV or GeoJSON:
lon, lat, class, floors, floor_area, occupants_day, occupants_night, value) or a columnar cache
(.bin). --json prints one JSON object on stdout; --out writes result.json, contours.geojson and
regions.csv. Progress goes to stderr. Exit 0 success, 1 unreadable exposure, 2 bad arguments.

anlan quake bench --buildings N [--threads T] [--runs R] [--seed S] [--cache FILE]

Benchmarks the engine on a synthetic inventory of N buildings read from the columnar cache, on T
worker threads, and prints one JSON line { buildings, threads, seconds, buildingsPerSecond,
scanSeconds, ratioToScan, ... }. See anlan quake bench --help.`;

const FLAG_OF: Record<string, string> = { lon: '--lon', lat: '--lat', depthKm: '--depth', magnitude: '--mag', strikeDeg: '--strike', time: '--time' };

function loadExposure(file: string | undefined, event: QuakeEvent): { exposure: ExposureColumns; errors: string[] } {
  if (!file) return { exposure: loadNationalExposure({ bbox: bboxAround(event.lon, event.lat, exposureRadiusKm(event)) }), errors: [] };
  if (extname(file).toLowerCase() === '.bin') return { exposure: readExposureCache(file), errors: [] };
  const { exposure, errors } = readInventory(file);
  return { exposure, errors: errors.map((e) => `${file}: row ${e.row}, ${e.field}: ${e.message}`) };
}

/** The JSON the CLI prints: the result without the bulky contours, affected counties only. */
export function summaryJson(event: QuakeEvent, result: AssessmentResult, seconds: number) {
  const { contours: _contours, ...rest } = result;
  return {
    event,
    ...rest,
    regions: affectedRegions(result),
    seconds,
  };
}

function regionsCsv(result: AssessmentResult): string {
  const header = ['code', 'name', 'maxIntensity', 'population', 'exposedPopulation', ...DAMAGE_STATES.map((d) => `buildings_${d}`), 'deaths', 'injuries', 'lossCny'];
  const lines = affectedRegions(result).map((r) => [r.code, r.name, r.maxIntensity.toFixed(1), Math.round(r.population), Math.round(r.exposedPopulation), ...r.buildingsByDamageState.map((b) => Math.round(b)), r.deaths.toFixed(1), r.injuries.toFixed(1), Math.round(r.lossCny)].join(','));
  return `\uFEFF${[header.join(','), ...lines].join('\n')}\n`;
}

const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

function printSummary(result: AssessmentResult, seconds: number): void {
  const f = (n: number) => Math.round(n).toLocaleString('zh-CN');
  console.log(`最高烈度 max intensity: ${result.maxIntensity.toFixed(1)} (${ROMAN[Math.floor(result.maxIntensity)] ?? ''})`);
  console.log(`死亡 deaths: ${f(result.deaths.median)} (${f(result.deaths.low)}–${f(result.deaths.high)})   受伤 injuries: ${f(result.injuries.median)}`);
  console.log(`经济损失 loss: ${(result.economicLossCny.median / 1e8).toFixed(1)} 亿元   PAGER: ${result.pagerAlert}`);
  console.log(`VI 度及以上面积 area ≥ VI: ${f(result.areaKm2ByIntensity['6'])} km²`);
  console.log('\n县 county            max I   deaths   loss (亿元)');
  for (const r of result.regions.slice(0, 15)) {
    if (r.maxIntensity < 6) break;
    console.log(`${r.code} ${r.name.padEnd(10, '　')} ${r.maxIntensity.toFixed(1).padStart(5)} ${r.deaths.toFixed(0).padStart(8)} ${(r.lossCny / 1e8).toFixed(2).padStart(12)}`);
  }
  process.stderr.write(`\nassessed in ${seconds.toFixed(2)} s\n`);
}

export async function quakeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'bench') return quakeBenchCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      help: { type: 'boolean', short: 'h' },
      lon: { type: 'string' },
      lat: { type: 'string' },
      depth: { type: 'string' },
      mag: { type: 'string' },
      strike: { type: 'string' },
      time: { type: 'string' },
      exposure: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  if (values.help || !sub) return console.log(QUAKE_HELP), sub ? 0 : 2;
  if (sub !== 'assess') throw new UsageError(`unknown subcommand "quake ${sub}"\n\n${QUAKE_HELP}`);
  const { event, errors } = parseEvent({ lon: values.lon, lat: values.lat, depthKm: values.depth, magnitude: values.mag, strikeDeg: values.strike, time: values.time });
  if (!event) throw new UsageError(errors.map((e) => `${FLAG_OF[e.field] ?? e.field}: ${e.message}`).join('\n'));

  const started = performance.now();
  process.stderr.write(values.exposure ? `reading exposure ${values.exposure}…\n` : 'loading the national default exposure…\n');
  const { exposure, errors: rowErrors } = loadExposure(values.exposure, event);
  if (rowErrors.length > 0) {
    for (const e of rowErrors.slice(0, 50)) process.stderr.write(`${e}\n`);
    if (rowErrors.length > 50) process.stderr.write(`… and ${rowErrors.length - 50} more\n`);
    process.stderr.write(`${rowErrors.length} bad rows: fix them and run again (an assessment on part of an inventory would under-count)\n`);
    return 1;
  }
  if (exposure.count === 0) {
    process.stderr.write('no exposure within reach of this earthquake\n');
  }
  process.stderr.write(`assessing ${exposure.count.toLocaleString('en')} exposure rows…\n`);
  const result = assess(event, exposure);
  const seconds = (performance.now() - started) / 1000;
  const summary = summaryJson(event, result, seconds);
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'result.json'), JSON.stringify(summary, null, 2));
    writeFileSync(join(values.out, 'contours.geojson'), JSON.stringify(result.contours));
    writeFileSync(join(values.out, 'regions.csv'), regionsCsv(result));
    process.stderr.write(`wrote ${values.out}/result.json, contours.geojson, regions.csv\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else printSummary(result, seconds);
  return 0;
}
