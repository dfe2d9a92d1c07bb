/**
 * Rolling per-region rows up the administrative tree (village → township → county): the board's
 * counts per status and the evacuation ledger's 转移到位率. Pure: the store gives rows per recipient
 * region, these functions group them by the code's own prefixes (GB/T 2260: 6 digits county,
 * 9 township, 12 village), so a village missing from the regions table still rolls up.
 */
import { RECIPIENT_STATUSES, type EvacuationRegionRow, type RecipientStatus } from './board-store.ts';

export type StatusCounts = Record<RecipientStatus, number> & { total: number };

export function emptyCounts(): StatusCounts {
  const c = { total: 0 } as StatusCounts;
  for (const s of RECIPIENT_STATUSES) c[s] = 0;
  return c;
}

export interface CountGroup {
  code: string;
  name: string | null;
  counts: StatusCounts;
  villages: { code: string; name: string | null; counts: StatusCounts }[];
}

const countyOf = (code: string) => code.slice(0, 6);
/** The township a code lies in; a county-level recipient (县级责任人) is grouped under its county. */
const townshipOf = (code: string) => (code.length >= 9 ? code.slice(0, 9) : code);
const villageOf = (code: string) => (code.length === 12 ? code : null);

export function rollUpCounts(rows: { regionCode: string; status: RecipientStatus; n: number }[], names: Map<string, string>): { counts: StatusCounts; groups: CountGroup[] } {
  const counts = emptyCounts();
  const groups = new Map<string, CountGroup>();
  const villageMaps = new Map<string, Map<string, { code: string; name: string | null; counts: StatusCounts }>>();
  for (const row of rows) {
    counts[row.status] += row.n;
    counts.total += row.n;
    const t = townshipOf(row.regionCode);
    let g = groups.get(t);
    if (!g) {
      g = { code: t, name: names.get(t) ?? null, counts: emptyCounts(), villages: [] };
      groups.set(t, g);
      villageMaps.set(t, new Map());
    }
    g.counts[row.status] += row.n;
    g.counts.total += row.n;
    const v = villageOf(row.regionCode);
    if (v) {
      const vm = villageMaps.get(t)!;
      let vg = vm.get(v);
      if (!vg) {
        vg = { code: v, name: names.get(v) ?? null, counts: emptyCounts() };
        vm.set(v, vg);
      }
      vg.counts[row.status] += row.n;
      vg.counts.total += row.n;
    }
  }
  const out = [...groups.values()].sort((a, b) => a.code.localeCompare(b.code));
  for (const g of out) g.villages = [...villageMaps.get(g.code)!.values()].sort((a, b) => a.code.localeCompare(b.code));
  return { counts, groups: out };
}

/** Region codes whose names the roll-ups show. */
export function codesToName(regionCodes: string[]): string[] {
  const codes = new Set<string>();
  for (const c of regionCodes) {
    codes.add(countyOf(c));
    codes.add(townshipOf(c));
    const v = villageOf(c);
    if (v) codes.add(v);
  }
  return [...codes];
}

export interface EvacuationFigures {
  recipients: number;
  reported: number;
  planned: number;
  moved: number;
  sheltered: number;
  atRisk: number;
  /** 转移到位率 = moved / planned; null when nobody was planned to move. */
  rate: number | null;
}

export interface EvacuationNode extends EvacuationFigures {
  code: string;
  name: string | null;
}

export interface EvacuationLedger {
  total: EvacuationFigures;
  counties: (EvacuationNode & { townships: (EvacuationNode & { villages: EvacuationNode[] })[] })[];
}

function zero(): EvacuationFigures {
  return { recipients: 0, reported: 0, planned: 0, moved: 0, sheltered: 0, atRisk: 0, rate: null };
}

function add(into: EvacuationFigures, row: EvacuationRegionRow): void {
  into.recipients += row.recipients;
  into.reported += row.reported;
  into.planned += row.planned;
  into.moved += row.moved;
  into.sheltered += row.sheltered;
  into.atRisk += row.atRisk;
}

function withRate<T extends EvacuationFigures>(f: T): T {
  f.rate = f.planned > 0 ? Math.round((f.moved / f.planned) * 10_000) / 10_000 : null;
  return f;
}

export function rollUpEvacuation(rows: EvacuationRegionRow[], names: Map<string, string>): EvacuationLedger {
  const total = zero();
  type Township = EvacuationNode & { villages: Map<string, EvacuationNode> };
  const counties = new Map<string, EvacuationNode & { townships: Map<string, Township> }>();
  for (const row of rows) {
    add(total, row);
    const cc = countyOf(row.regionCode);
    let county = counties.get(cc);
    if (!county) {
      county = { code: cc, name: names.get(cc) ?? null, ...zero(), townships: new Map() };
      counties.set(cc, county);
    }
    add(county, row);
    const tc = townshipOf(row.regionCode);
    let township = county.townships.get(tc);
    if (!township) {
      township = { code: tc, name: names.get(tc) ?? null, ...zero(), villages: new Map() };
      county.townships.set(tc, township);
    }
    add(township, row);
    const vc = villageOf(row.regionCode);
    if (vc) {
      let village = township.villages.get(vc);
      if (!village) {
        village = { code: vc, name: names.get(vc) ?? null, ...zero() };
        township.villages.set(vc, village);
      }
      add(village, row);
    }
  }
  const byCode = <T extends { code: string }>(a: T, b: T) => a.code.localeCompare(b.code);
  return {
    total: withRate(total),
    counties: [...counties.values()].sort(byCode).map(({ townships, ...c }) => ({
      ...withRate(c),
      townships: [...townships.values()].sort(byCode).map(({ villages, ...t }) => ({ ...withRate(t), villages: [...villages.values()].sort(byCode).map(withRate) })),
    })),
  };
}
