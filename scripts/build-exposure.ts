/**
 * Builds the national default exposure of the quake engine from the 2020 census by county and the
 * shipped county outlines:
 *
 *   node --import tsx scripts/build-exposure.ts [census.csv]
 *
 * (default /work/shared/data/census/census_county_2020.csv). Writes, in packages/quake/data/exposure/:
 * - counties.json       one record per modelled unit: people, households, floor area / buildings /
 *                       value per structure class, occupancy factors;
 * - national-cells.bin  grid cells inside each unit with its share of urban and rural people
 *                       (columnar, see packages/quake/src/exposure/columnar.ts);
 * - census-join.json    how every census row was used (joined, recoded, folded, skipped).
 * Deterministic: the same inputs give byte-identical files. Assumptions: data/exposure/assumptions.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDivisions, readReferenceBoundaries, type BoundaryRecord } from '@anlan/reference-data';
import { STRUCTURE_CLASSES } from '../packages/quake/src/types.ts';
import { CENSUS_RECODE, PREFECTURE_AS_COUNTY, UNCODED_BY_NAME } from '../packages/quake/src/exposure/codes.ts';
import { encodeColumns } from '../packages/quake/src/exposure/columnar.ts';
import { cellAreaKm2, gridCellsInside, haversineKm } from '../packages/quake/src/exposure/geo.ts';
import type { CountyRecord, CountiesFile, CellsMeta } from '../packages/quake/src/exposure/national.ts';

const OUT_DIR = fileURLToPath(new URL('../packages/quake/data/exposure/', import.meta.url));
const CSV = process.argv[2] ?? '/work/shared/data/census/census_county_2020.csv';
const NC = STRUCTURE_CLASSES.length;
const CLASS_INDEX = new Map<string, number>(STRUCTURE_CLASSES.map((c, i) => [c, i]));

interface Assumptions {
  ruralSelfBuiltMix: { national: Record<MixKey, number>; toClass: Record<MixKey, string> };
  provinceDeviation: { nationalForestry: number[]; forestry: Record<string, number[]>; minForestryHouseholds: number };
  urbanHousing: { liftToClass: string; otherToClass: string };
  nonResidential: { m2PerUrbanResident: number; classShares: Record<string, number> };
  meanBuildingFloorAreaM2: { urban: Record<string, number>; rural: Record<string, number> };
  replacementCostCnyPerM2: Record<string, number>;
  occupancy: {
    night: { home: number; nonResidential: number };
    dayUrban: { home: number; nonResidential: number };
    dayRural: { home: number; nonResidential: number };
  };
  spreading: {
    gridStepDeg: number;
    minCellsPerCounty: number;
    minStepDeg: number;
    sparseGridStepDeg: number;
    sparseDensityPerKm2: number;
    urbanDensityPerKm2: number;
    urbanMinSigmaKm: number;
    urbanSeatShare: number;
    ruralDecayMinKm: number;
  };
}
type MixKey = 'rc' | 'brickConcrete' | 'brickWood' | 'adobe' | 'other';
const MIX_KEYS: MixKey[] = ['rc', 'brickConcrete', 'brickWood', 'adobe', 'other'];

const A = JSON.parse(readFileSync(OUT_DIR + 'assumptions.json', 'utf8')) as Assumptions;

// ---------------------------------------------------------------- census rows
const COL = { code: 0, province: 1, prefecture: 2, county: 3, pop: 4, urban: 9, rural: 10, cityCore: 11, households: 12, areaPerPerson: 140, longForm: 141, lift: 146, selfBuilt: 149 };

interface CensusRow {
  line: number;
  code: string;
  province: string;
  prefecture: string;
  county: string;
  pop: number;
  urban: number;
  rural: number;
  /** 城区人口: residents of the built-up city core, reported for 387 county-level cities and districts. */
  cityCore: number | null;
  households: number;
  areaPerPerson: number;
  longForm: number;
  lift: number | null;
  selfBuilt: number | null;
}

function num(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

const csvLines = readFileSync(CSV, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
const census: CensusRow[] = csvLines.slice(1).map((line, i) => {
  const f = line.split(','); // no quoted fields in this file (checked: no '"')
  return {
    line: i + 2,
    code: f[COL.code].trim(),
    province: f[COL.province],
    prefecture: f[COL.prefecture],
    county: f[COL.county],
    pop: num(f[COL.pop]) ?? 0,
    urban: num(f[COL.urban]) ?? 0,
    rural: num(f[COL.rural]) ?? 0,
    cityCore: num(f[COL.cityCore]),
    households: num(f[COL.households]) ?? 0,
    areaPerPerson: num(f[COL.areaPerPerson]) ?? 0,
    longForm: num(f[COL.longForm]) ?? 0,
    lift: num(f[COL.lift]),
    selfBuilt: num(f[COL.selfBuilt]),
  };
});
if (csvLines[0].includes('"')) throw new Error('unexpected quoted CSV header');

// ---------------------------------------------------------------- 2023 tree and outlines
const divisions = loadDivisions();
const divisionByCode = new Map(divisions.map((d) => [d.code, d]));
const prefWithCounties = new Set(divisions.filter((d) => d.level === 'county').map((d) => d.parentCode));
/** County-level units of the 2023 tree (prefecture-level cities without counties included). */
const currentCounty = new Set(divisions.filter((d) => d.level === 'county' || (d.level === 'prefecture' && !prefWithCounties.has(d.code))).map((d) => d.code));

const outlines = new Map<string, BoundaryRecord>();
for await (const r of readReferenceBoundaries()) {
  if (r.level !== 'province') outlines.set(r.code, r);
}

// ---------------------------------------------------------------- units
/** Additive census quantities of a modelled unit. */
interface Unit {
  regionCode: string;
  name: string;
  /** Outlines the unit's people are spread over. */
  geometry: string[];
  /** How the geometry was chosen, for the join report. */
  placement: 'own' | 'recoded' | 'host';
  sources: string[];
  pop: number;
  urban: number;
  rural: number;
  /** Sum of 城区人口 over the unit's census rows; NaN when any row does not report it. */
  cityCore: number;
  households: number;
  floorArea: number;
  longForm: number;
  lift: number;
  selfBuilt: number;
}

const report = {
  source: CSV.replace(/^.*\//, ''),
  joined: 0,
  recoded: [] as string[],
  hosted: [] as string[],
  folded: [] as string[],
  skipped: [] as string[],
  longFormFallback: [] as string[],
  treeUnitsWithoutCensus: [] as string[],
  /** 城区人口 / 城镇人口 of the units that report 城区人口 (summarised before writing). */
  cityCoreShare: [] as number[],
};

const provinceRow = new Map<string, CensusRow>();
const prefectureRow = new Map<string, CensusRow>();
for (const r of census) {
  if (r.code.endsWith('0000')) provinceRow.set(r.code.slice(0, 2), r);
  else if (/^\d{4}00$/.test(r.code)) prefectureRow.set(r.code.slice(0, 4), r);
}
const censusCountyPrefixes = new Set(census.filter((r) => /^\d{6}$/.test(r.code) && !r.code.endsWith('00')).map((r) => r.code.slice(0, 4)));

/** Lift / self-built counts, or the prefecture's (else province's) shares where a county has none. */
function longFormCounts(r: CensusRow): { lift: number; selfBuilt: number } {
  if (r.lift !== null && r.selfBuilt !== null && r.longForm > 0) return { lift: r.lift, selfBuilt: r.selfBuilt };
  const code = CENSUS_RECODE[r.code] ?? r.code;
  const byName = [...prefectureRow.values()].find((p) => p.province === r.province && p.county === r.prefecture);
  const parents = code ? [prefectureRow.get(code.slice(0, 4)), provinceRow.get(code.slice(0, 2))] : [byName, [...provinceRow.values()].find((p) => p.province === r.province)];
  const parent = parents.find((p) => p && p.lift !== null && p.selfBuilt !== null && p.longForm > 0);
  if (!parent) throw new Error(`no long-form fallback for ${r.code}`);
  report.longFormFallback.push(`${r.code || r.county} ${r.county}: ${r.lift === null ? 'lift' : 'self-built'} share not reported, ${parent.county === parent.prefecture ? parent.prefecture : parent.province}'s used`);
  const scale = r.longForm > 0 ? r.longForm : r.households / 10;
  return {
    lift: r.lift ?? ((parent.lift ?? 0) / parent.longForm) * scale,
    selfBuilt: r.selfBuilt ?? ((parent.selfBuilt ?? 0) / parent.longForm) * scale,
  };
}

function quantities(r: CensusRow): Omit<Unit, 'regionCode' | 'name' | 'geometry' | 'placement' | 'sources'> {
  const lf = longFormCounts(r);
  const longForm = r.longForm > 0 ? r.longForm : r.households / 10;
  return { pop: r.pop, urban: r.urban, rural: r.rural, cityCore: r.cityCore ?? NaN, households: r.households, floorArea: r.areaPerPerson * r.pop, longForm, lift: lf.lift, selfBuilt: lf.selfBuilt };
}

function addInto(target: Unit, q: ReturnType<typeof quantities>, factor = 1): void {
  target.pop += q.pop * factor;
  target.urban += q.urban * factor;
  target.rural += q.rural * factor;
  target.cityCore += q.cityCore * factor;
  target.households += q.households * factor;
  target.floorArea += q.floorArea * factor;
  target.longForm += q.longForm * factor;
  target.lift += q.lift * factor;
  target.selfBuilt += q.selfBuilt * factor;
}

const units = new Map<string, Unit>(); // key: regionCode|geometry
const toFold: { row: CensusRow; prefix: string; why: string }[] = [];
const label = (r: CensusRow): string => `${r.code || '(no code)'} ${r.province}${r.prefecture === r.county ? '' : r.prefecture}${r.county}`;

function addUnit(r: CensusRow, regionCode: string, geometry: string[], placement: Unit['placement']): void {
  const key = `${regionCode}|${geometry.join('+')}`;
  let unit = units.get(key);
  if (!unit) {
    const division = divisionByCode.get(regionCode);
    unit = { regionCode, name: division?.name ?? r.county, geometry, placement, sources: [], pop: 0, urban: 0, rural: 0, cityCore: 0, households: 0, floorArea: 0, longForm: 0, lift: 0, selfBuilt: 0 };
    units.set(key, unit);
  }
  unit.sources.push(r.code || r.county);
  addInto(unit, quantities(r));
}

const hostsPending: { row: CensusRow; regionCode: string }[] = [];

for (const r of census) {
  if (r.code === '') {
    const byName = UNCODED_BY_NAME[r.county];
    if (byName) {
      addUnit(r, byName, [byName], 'own');
      report.joined++;
      continue;
    }
    if (r.county === '全国' || r.county.endsWith('直辖县级行政区划')) {
      report.skipped.push(`${r.province}${r.county === '全国' ? '' : r.county} (line ${r.line}, ${r.pop.toLocaleString('en')}): total of other rows`);
      continue;
    }
    const pref = [...prefectureRow.values()].find((p) => p.province === r.province && p.county === r.prefecture);
    if (!pref) throw new Error(`cannot place uncoded row ${r.county}`);
    toFold.push({ row: r, prefix: pref.code.slice(0, 4), why: 'no code' });
    continue;
  }
  if (r.code.endsWith('0000')) continue; // province totals
  if (/^\d{4}00$/.test(r.code)) {
    if (censusCountyPrefixes.has(r.code.slice(0, 4))) continue; // prefecture total
    if (r.code === '460300') {
      report.skipped.push(`460300 三沙市 (${r.pop}): total of its island groups, which are joined by name`);
      continue;
    }
    const regionCode = PREFECTURE_AS_COUNTY[r.code] ?? r.code;
    if (!currentCounty.has(regionCode) || !outlines.has(regionCode)) throw new Error(`prefecture-level unit ${r.code} has no county-level code/outline`);
    addUnit(r, regionCode, [regionCode], regionCode === r.code ? 'own' : 'recoded');
    if (regionCode !== r.code) report.recoded.push(`${label(r)} → ${regionCode} ${divisionByCode.get(regionCode)?.name}`);
    report.joined++;
    continue;
  }
  const current = currentCounty.has(r.code);
  const regionCode = current ? r.code : CENSUS_RECODE[r.code];
  if (regionCode && !current) {
    // Recoded: the people stay on the census unit's own (older) outline where the reference
    // boundaries still have it, else on the new unit's outline.
    const geometry = outlines.has(r.code) ? r.code : regionCode;
    if (!outlines.has(geometry)) throw new Error(`no outline for ${r.code}/${regionCode}`);
    addUnit(r, regionCode, [geometry], 'recoded');
    report.recoded.push(`${label(r)} → ${regionCode} ${divisionByCode.get(regionCode)?.name}${geometry === r.code ? ' (spread over its 2022 outline)' : ''}`);
    report.joined++;
    continue;
  }
  if (current && outlines.has(r.code)) {
    addUnit(r, r.code, [r.code], 'own');
    report.joined++;
    continue;
  }
  if (current) {
    hostsPending.push({ row: r, regionCode: r.code });
    continue;
  }
  toFold.push({ row: r, prefix: r.code.slice(0, 4), why: 'code not in the 2023 tree and no outline' });
}

// Units of the 2023 tree without an outline keep their code; their people are placed on host
// outlines of the same prefecture: the superseded outlines they were carved from where known,
// else the prefecture's urban districts (development zones sit on the edge of the city), else all.
const HOSTS: Record<string, (code: string) => boolean> = {
  '2307': (code) => code.startsWith('2307') && !currentCounty.has(code), // 伊春 2019 reorganisation: old districts
  '632857': (code) => code === '632825', // 大柴旦 on the old 海西州直辖 outline
  '2327': (code) => code.startsWith('2327') && currentCounty.has(code), // 大兴安岭 松岭/新林/呼中: the whole prefecture
};

function districtHosts(prefix: string): string[] {
  const inPrefecture = [...units.values()].filter((u) => u.regionCode.startsWith(prefix) && u.placement !== 'host' && u.regionCode[4] !== '7');
  const districts = inPrefecture.filter((u) => u.name.endsWith('区'));
  return (districts.length > 0 ? districts : inPrefecture).flatMap((u) => u.geometry);
}

for (const { row, regionCode } of hostsPending) {
  const rule = HOSTS[regionCode] ?? HOSTS[regionCode.slice(0, 4)];
  const geometry = rule ? [...outlines.values()].filter((o) => o.level === 'county' && rule(o.code)).map((o) => o.code).sort() : districtHosts(regionCode.slice(0, 4));
  if (geometry.length === 0) throw new Error(`no host outline for ${regionCode}`);
  addUnit(row, regionCode, geometry, 'host');
  report.hosted.push(`${label(row)}: no outline of its own; placed on ${geometry.join(', ')}`);
  report.joined++;
}

// Development zones without a 2023 code: their people are added to the prefecture's districts in
// proportion to the districts' urban population (they lie inside or beside the city).
for (const { row, prefix, why } of toFold) {
  const inPrefecture = [...units.values()].filter((u) => u.regionCode.startsWith(prefix) && u.placement !== 'host');
  const districts = inPrefecture.filter((u) => u.name.endsWith('区') && u.regionCode[4] !== '7');
  const targets = districts.length > 0 ? districts : inPrefecture;
  const total = targets.reduce((s, u) => s + u.urban, 0);
  if (targets.length === 0 || total <= 0) throw new Error(`nowhere to fold ${label(row)}`);
  const q = quantities(row);
  for (const t of targets) {
    addInto(t, q, t.urban / total);
    t.sources.push(`${row.code || row.county}×${(t.urban / total).toFixed(3)}`);
  }
  report.folded.push(`${label(row)} (${row.pop.toLocaleString('en')}, ${why}) → ${targets.map((t) => t.regionCode).join(', ')}`);
}

const modelledRegions = new Set([...units.values()].map((u) => u.regionCode));
for (const code of [...currentCounty].sort()) {
  if (modelledRegions.has(code) || code.startsWith('71') || code.startsWith('81') || code.startsWith('82')) continue;
  if (code[4] === '7') continue; // development zones the census does not list separately
  const d = divisionByCode.get(code);
  report.treeUnitsWithoutCensus.push(`${code} ${d?.name ?? ''}`);
}

// ---------------------------------------------------------------- building stock per unit
function ruralMix(provinceCode: string): number[] {
  const pd = A.provinceDeviation;
  const national = MIX_KEYS.map((k) => A.ruralSelfBuiltMix.national[k]);
  const nf = pd.nationalForestry;
  const pf = pd.forestry[provinceCode];
  let mix = national;
  if (pf) {
    // Forestry tables split 竹草土坯 and 其他 like the farm table: keys rc, brickConcrete, brickWood, adobe, other.
    const deviated = national.map((s, k) => s * ((pf[k + 1] / pf[0]) / (nf[k + 1] / nf[0])));
    const sum = deviated.reduce((a, b) => a + b, 0);
    mix = deviated.map((v) => v / sum);
    if (pf[0] < pd.minForestryHouseholds) mix = mix.map((v, k) => 0.5 * v + 0.5 * national[k]);
  }
  const byClass = new Array<number>(NC).fill(0);
  MIX_KEYS.forEach((key, k) => {
    byClass[CLASS_INDEX.get(A.ruralSelfBuiltMix.toClass[key])!] += mix[k];
  });
  return byClass;
}

const round = (v: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

const unitList = [...units.values()].sort((a, b) => (a.regionCode === b.regionCode ? a.geometry.join().localeCompare(b.geometry.join()) : a.regionCode.localeCompare(b.regionCode)));
const regionCodes = [...new Set(unitList.map((u) => u.regionCode))].sort();
const regionIndex = new Map(regionCodes.map((c, i) => [c, i]));
const valuePerM2 = STRUCTURE_CLASSES.map((c) => A.replacementCostCnyPerM2[c]);
const occ = A.occupancy;

const countyRecords: CountyRecord[] = unitList.map((u) => {
  const liftShare = Math.min(1, u.lift / u.longForm);
  const selfShare = Math.min(1 - liftShare, u.selfBuilt / u.longForm);
  const otherShare = Math.max(0, 1 - liftShare - selfShare);
  const resUrban = new Array<number>(NC).fill(0);
  const resRural = new Array<number>(NC).fill(0);
  const nonRes = new Array<number>(NC).fill(0);
  resUrban[CLASS_INDEX.get(A.urbanHousing.liftToClass)!] += liftShare * u.floorArea;
  resUrban[CLASS_INDEX.get(A.urbanHousing.otherToClass)!] += otherShare * u.floorArea;
  ruralMix(u.regionCode.slice(0, 2)).forEach((share, j) => {
    resRural[j] += share * selfShare * u.floorArea;
  });
  for (const [cls, share] of Object.entries(A.nonResidential.classShares)) {
    nonRes[CLASS_INDEX.get(cls)!] += share * A.nonResidential.m2PerUrbanResident * u.urban;
  }
  const bUrban = STRUCTURE_CLASSES.map((c, j) => (resUrban[j] + nonRes[j]) / A.meanBuildingFloorAreaM2.urban[c]);
  const bRural = STRUCTURE_CLASSES.map((c, j) => resRural[j] / A.meanBuildingFloorAreaM2.rural[c]);
  const pop = u.urban + u.rural;
  // Share of the urban people (and urban building pool) in the kernel around the seat: the census
  // 城区人口 / 城镇人口 where every census row of the unit reports 城区人口, else the default.
  const core = Number.isFinite(u.cityCore) && u.urban > 0 ? Math.min(1, Math.max(0, u.cityCore / u.urban)) : null;
  if (core !== null) report.cityCoreShare.push(core);
  return {
    code: u.regionCode,
    name: u.name,
    region: regionIndex.get(u.regionCode)!,
    geometry: u.geometry,
    placement: u.placement,
    sources: u.sources,
    population: round(pop),
    urban: round(u.urban),
    rural: round(u.rural),
    households: round(u.households),
    floorAreaPerPerson: round(u.floorArea / Math.max(1, pop), 2),
    liftShare: round(liftShare, 4),
    selfBuiltShare: round(selfShare, 4),
    urbanSeatShare: round(core ?? A.spreading.urbanSeatShare, 4),
    resUrbanM2: resUrban.map((v) => round(v)),
    resRuralM2: resRural.map((v) => round(v)),
    nonResM2: nonRes.map((v) => round(v)),
    buildingsUrban: bUrban.map((v) => round(v, 1)),
    buildingsRural: bRural.map((v) => round(v, 1)),
    valueCny: STRUCTURE_CLASSES.map((_, j) => round((resUrban[j] + resRural[j] + nonRes[j]) * valuePerM2[j])),
    nightHome: occ.night.home,
    nightNonRes: occ.night.nonResidential,
    dayHome: round((occ.dayUrban.home * u.urban + occ.dayRural.home * u.rural) / Math.max(1, pop), 4),
    dayNonRes: round((occ.dayUrban.nonResidential * u.urban + occ.dayRural.nonResidential * u.rural) / Math.max(1, pop), 4),
  };
});

// ---------------------------------------------------------------- spreading over the outlines
const S = A.spreading;
interface Grid {
  lon: number[];
  lat: number[];
  areaKm2: number[];
  seat: [number, number];
  equivalentRadiusKm: number;
}
const gridCache = new Map<string, Grid>();
function gridOf(code: string, people: number | null): Grid {
  const cached = gridCache.get(code);
  if (cached) return cached;
  const r = outlines.get(code)!;
  let step = S.gridStepDeg;
  let cells = gridCellsInside(r.geometry['2'], r.bbox, step);
  if (people !== null) {
    // Sparsely populated counties (the west) get a coarser grid: fewer rows, same totals.
    const areaKm2 = cells.lat.reduce((a, lat) => a + cellAreaKm2(step, lat), 0);
    const coarse = gridCellsInside(r.geometry['2'], r.bbox, S.sparseGridStepDeg);
    if (people / Math.max(areaKm2, 1) < S.sparseDensityPerKm2 && coarse.lon.length >= S.minCellsPerCounty) {
      step = S.sparseGridStepDeg;
      cells = coarse;
    }
  }
  while (cells.lon.length < S.minCellsPerCounty && step / 2 >= S.minStepDeg) {
    step /= 2;
    cells = gridCellsInside(r.geometry['2'], r.bbox, step);
  }
  const seat = (r.seat ?? r.centroid) as [number, number];
  if (cells.lon.length === 0) cells = { lon: [seat[0]], lat: [seat[1]] }; // a speck: one cell at the seat
  const areaKm2 = cells.lat.map((lat) => cellAreaKm2(step, lat));
  const total = areaKm2.reduce((a, b) => a + b, 0);
  const grid = { lon: cells.lon, lat: cells.lat, areaKm2, seat, equivalentRadiusKm: Math.sqrt(total / Math.PI) };
  gridCache.set(code, grid);
  return grid;
}

function normalise(w: number[]): number[] {
  const sum = w.reduce((a, b) => a + b, 0);
  return sum > 0 ? w.map((v) => v / sum) : w;
}

/** Urban and rural weights (each summing to 1) over one outline's cells, for `urban` urban people. */
function weightsOn(grid: Grid, urban: number, seatShare: number): { urban: number[]; rural: number[] } {
  const d = grid.lon.map((lon, i) => haversineKm(lon, grid.lat[i], grid.seat[0], grid.seat[1]));
  const L = Math.max(S.ruralDecayMinKm, grid.equivalentRadiusKm / 2);
  const spread = normalise(grid.areaKm2.map((a, i) => a * Math.exp(-d[i] / L)));
  const sigma = Math.max(S.urbanMinSigmaKm, Math.sqrt((seatShare * urban) / (Math.PI * S.urbanDensityPerKm2)));
  let kernel = d.map((di) => (di <= 3 * sigma ? Math.exp(-(di * di) / (2 * sigma * sigma)) : 0));
  if (kernel.every((v) => v === 0)) {
    kernel = d.map(() => 0);
    kernel[d.indexOf(Math.min(...d))] = 1;
  }
  kernel = normalise(kernel);
  return { urban: kernel.map((k, i) => seatShare * k + (1 - seatShare) * spread[i]), rural: spread };
}

const unitByRegion = new Map(countyRecords.filter((c) => c.placement !== 'host').map((c) => [c.geometry.join('+'), c]));
const cLon: number[] = [];
const cLat: number[] = [];
const cUnit: number[] = [];
const cUrban: number[] = [];
const cRural: number[] = [];
countyRecords.forEach((county, unitIndex) => {
  // Several outlines (hosts): each gets a part in proportion to its own census people, else area.
  const parts = county.geometry.map((code) => {
    const own = unitByRegion.get(code);
    const grid = gridOf(code, own ? own.population : null);
    const area = grid.areaKm2.reduce((a, b) => a + b, 0);
    return { grid, urbanWeight: own ? own.urban : area, ruralWeight: own ? own.rural : area };
  });
  const uSum = parts.reduce((s, p) => s + p.urbanWeight, 0) || 1;
  const rSum = parts.reduce((s, p) => s + p.ruralWeight, 0) || 1;
  for (const part of parts) {
    const fu = part.urbanWeight / uSum;
    const fr = part.ruralWeight / rSum;
    const w = weightsOn(part.grid, county.urban * fu, county.urbanSeatShare);
    for (let i = 0; i < part.grid.lon.length; i++) {
      const u = w.urban[i] * fu;
      const r = w.rural[i] * fr;
      if (u <= 0 && r <= 0) continue;
      cLon.push(part.grid.lon[i]);
      cLat.push(part.grid.lat[i]);
      cUnit.push(unitIndex);
      cUrban.push(u);
      cRural.push(r);
    }
  }
});

// ---------------------------------------------------------------- write
const regions = regionCodes.map((code) => ({ code, name: divisionByCode.get(code)?.name ?? countyRecords.find((c) => c.code === code)!.name }));
const countiesFile: CountiesFile = {
  source: '第七次全国人口普查分县资料 (2020) via github.com/leiii/census (MIT, Lei Dong et al.); see README.md',
  classes: [...STRUCTURE_CLASSES],
  valuePerM2,
  occupancy: occ,
  regions,
  counties: countyRecords,
};
const json = '{\n' + Object.entries(countiesFile).map(([k, v]) => (k === 'counties' ? `"counties": [\n${(v as CountyRecord[]).map((c) => JSON.stringify(c)).join(',\n')}\n]` : `${JSON.stringify(k)}: ${JSON.stringify(v)}`)).join(',\n') + '\n}\n';
writeFileSync(OUT_DIR + 'counties.json', json);

const meta: CellsMeta = { cells: cLon.length, units: countyRecords.length, gridStepDeg: S.gridStepDeg };
writeFileSync(
  OUT_DIR + 'national-cells.bin',
  encodeColumns(meta, {
    lon: Float32Array.from(cLon),
    lat: Float32Array.from(cLat),
    urban: Float32Array.from(cUrban),
    rural: Float32Array.from(cRural),
    unit: Uint16Array.from(cUnit),
  }),
);
const shares = [...report.cityCoreShare].sort((x, y) => x - y);
const q = (f: number): number => round(shares[Math.min(shares.length - 1, Math.floor(f * shares.length))], 3);
const joinReport = { ...report, cityCoreShare: { units: shares.length, median: q(0.5), quartiles: [q(0.25), q(0.75)], note: '城区人口 / 城镇人口 of the units whose census rows all report 城区人口; other units use spreading.urbanSeatShare' } };
writeFileSync(OUT_DIR + 'census-join.json', JSON.stringify(joinReport, null, 1) + '\n');

const totalPop = countyRecords.reduce((s, c) => s + c.population, 0);
const totalArea = countyRecords.reduce((s, c) => s + c.resUrbanM2.concat(c.resRuralM2).reduce((a, b) => a + b, 0), 0);
const nonResArea = countyRecords.reduce((s, c) => s + c.nonResM2.reduce((a, b) => a + b, 0), 0);
console.log(`units ${countyRecords.length}, regions ${regions.length}, cells ${cLon.length}`);
console.log(`population ${totalPop.toLocaleString('en')}, residential ${(totalArea / 1e8).toFixed(1)} 亿m², non-residential ${(nonResArea / 1e8).toFixed(1)} 亿m²`);
console.log(`joined ${report.joined}, recoded ${report.recoded.length}, hosted ${report.hosted.length}, folded ${report.folded.length}, skipped ${report.skipped.length}, long-form fallback ${report.longFormFallback.length}, tree units without census ${report.treeUnitsWithoutCensus.length}`);
