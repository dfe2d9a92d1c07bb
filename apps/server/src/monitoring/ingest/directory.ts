/**
 * The sensor directory of the ingest: code → id, region, measuring range, enabled, in memory, so a
 * batch of thousands of readings costs no sensor lookup in the database.
 *
 * Filled by one query on first use; kept right by the registry's bus events: a sensor created,
 * changed or deleted, or a point changed (its sensors may have moved region), drops the entries
 * concerned, and an import drops them all; a code not in the map is looked up in the database
 * (all the batch's missing codes in one query) — so a sensor registered a moment ago is found at
 * once, whatever the order of the event and the request.
 */
import type { Queryable } from '@anlan/db';
import type { BusEvent } from '../../events/bus.ts';

export interface DirectoryEntry {
  id: number;
  code: string;
  pointId: number;
  regionCode: string;
  rangeMin: number | null;
  rangeMax: number | null;
  enabled: boolean;
}

type Row = { id: string | number; code: string; pointId: string | number; regionCode: string; rangeMin: number | null; rangeMax: number | null; enabled: boolean };

const SELECT = `SELECT s.id, s.code, s.point_id AS "pointId", p.region_code AS "regionCode", s.range_min AS "rangeMin", s.range_max AS "rangeMax", s.enabled
  FROM monitoring_sensors s JOIN monitoring_points p ON p.id = s.point_id`;

function toEntry(r: Row): DirectoryEntry {
  return {
    id: Number(r.id),
    code: r.code,
    pointId: Number(r.pointId),
    regionCode: r.regionCode,
    rangeMin: r.rangeMin === null ? null : Number(r.rangeMin),
    rangeMax: r.rangeMax === null ? null : Number(r.rangeMax),
    enabled: r.enabled,
  };
}

export class SensorDirectory {
  /** Keyed by the lower-case code (codes are unique letter case ignored). */
  private readonly byCode = new Map<string, DirectoryEntry>();
  private loaded = false;
  private generation = 0;

  constructor(private readonly db: Queryable) {}

  get size(): number {
    return this.byCode.size;
  }

  /** The entries of these codes (lower-cased keys); codes unknown to the database are absent. */
  async resolve(codes: Iterable<string>): Promise<Map<string, DirectoryEntry>> {
    if (!this.loaded) await this.loadAll();
    const out = new Map<string, DirectoryEntry>();
    const missing: string[] = [];
    for (const code of codes) {
      const e = this.byCode.get(code);
      if (e) out.set(code, e);
      else missing.push(code);
    }
    if (missing.length > 0) {
      const gen = this.generation;
      const r = await this.db.query<Row>(`${SELECT} WHERE lower(s.code) = ANY($1::text[])`, [missing]);
      for (const row of r.rows) {
        const e = toEntry(row);
        out.set(e.code.toLowerCase(), e);
        // An event that arrived while we queried may have made the row stale: use it, don't keep it.
        if (gen === this.generation) this.byCode.set(e.code.toLowerCase(), e);
      }
    }
    return out;
  }

  /** The cached entry of a sensor id (a scan: only for the rare duplicate the database finds). */
  byId(id: number): DirectoryEntry | undefined {
    for (const e of this.byCode.values()) if (e.id === id) return e;
    return undefined;
  }

  /** The registry's events: drop what they may have changed. */
  onEvent(e: BusEvent): void {
    if (!e.type.startsWith('monitoring.')) return;
    const data = e.data as { code?: unknown; id?: unknown };
    switch (e.type) {
      case 'monitoring.sensor_created':
      case 'monitoring.sensor_updated':
      case 'monitoring.sensor_deleted':
        this.generation += 1;
        // An update may have renamed the code: drop the entry of the id as well.
        if (typeof data.code === 'string') this.byCode.delete(data.code.toLowerCase());
        if (typeof data.id === 'number') this.dropWhere((x) => x.id === data.id);
        break;
      case 'monitoring.point_updated':
      case 'monitoring.point_deleted':
        this.generation += 1;
        if (typeof data.id === 'number') this.dropWhere((x) => x.pointId === data.id);
        break;
      case 'monitoring.imported':
        this.clear();
        break;
      default:
    }
  }

  clear(): void {
    this.generation += 1;
    this.byCode.clear();
    this.loaded = false;
  }

  private dropWhere(pred: (e: DirectoryEntry) => boolean): void {
    for (const [k, v] of this.byCode) if (pred(v)) this.byCode.delete(k);
  }

  private async loadAll(): Promise<void> {
    const gen = this.generation;
    const r = await this.db.query<Row>(SELECT);
    if (gen !== this.generation) return; // changed meanwhile: stay lazy, misses are looked up
    for (const row of r.rows) {
      const e = toEntry(row);
      this.byCode.set(e.code.toLowerCase(), e);
    }
    this.loaded = true;
  }
}
