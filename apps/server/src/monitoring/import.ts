/**
 * Bulk import of points or sensors from an .xlsx or CSV file. Each row goes through the same
 * checks as the JSON routes; the bad rows are reported by their spreadsheet row number (the
 * header is row 1) and field, the good ones are stored together in one transaction with one
 * audit entry for the whole import.
 *
 * `mode=insert` (default) only adds: a row naming an existing point id or sensor code is an
 * error. `mode=upsert` also updates: a point row with 编号 changes that point, a sensor row with
 * an existing code changes that sensor; empty cells keep the current values.
 */
import { ValidationError, isRegionCodeShape, isWithinScope, parseCsv, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import { readXlsxRows } from '../http/xlsx.ts';
import type { ScopedActor } from '../users/service.ts';
import { LEVELS, sensorType, type Thresholds } from './catalogue.ts';
import * as cells from './columns.ts';
import { PlacementChecker } from './placement.ts';
import { CODE_TAKEN, pointRecordOf, preparePoint, prepareSensor, sameRecord, sensorRecordOf, type MonitoringDeps, type PointView, type SensorView } from './service.ts';
import * as store from './store.ts';
import { parseAccumulation, type PointInput, type PointRecord, type SensorInput, type SensorRecord } from './validate.ts';

export type ImportMode = 'insert' | 'upsert';

export interface RowError {
  row: number;
  field: string;
  /** The header of the column in the file, when the field came from one. */
  column?: string;
  message: string;
}

export interface ImportReport {
  kind: cells.Kind;
  mode: ImportMode;
  format: 'xlsx' | 'csv';
  dryRun: boolean;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
  /** Headers of the file that are not registry columns; their cells were not read. */
  ignoredColumns: string[];
}

const MAX_ROWS = 50_000;
const MAX_LISTED_ERRORS = 1000;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const NO_CODES: ReadonlySet<string> = new Set();

interface Table {
  format: 'xlsx' | 'csv';
  headers: string[];
  rows: { rowNumber: number; cells: cells.Cell[] }[];
}

/** Excel on a Chinese Windows saves "CSV" in GB18030 unless told UTF-8; both are read. */
function decodeCsv(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(data);
  }
}

async function readTable(data: Uint8Array): Promise<Table> {
  const isXlsx = ZIP_MAGIC.every((b, i) => data[i] === b);
  if (isXlsx) {
    const sheet = await readXlsxRows(data, { maxRows: MAX_ROWS + 1 });
    const [head, ...rows] = sheet.rows;
    return { format: 'xlsx', headers: (head?.cells ?? []).map((c) => (c === null ? '' : String(c))), rows: rows.filter((r) => r.rowNumber > (head?.rowNumber ?? 0)) };
  }
  const records = parseCsv(decodeCsv(data));
  if (records.length > MAX_ROWS + 1) throw new ValidationError([{ field: 'file', message: `the file has more than ${MAX_ROWS} rows` }]);
  // One CSV record is one spreadsheet row, also when a quoted cell spans several lines.
  const rows = records
    .map((r, i) => ({ rowNumber: i + 1, cells: r.map((c): cells.Cell => (c.trim() === '' ? null : c)) }))
    .filter((r) => r.cells.some((c) => c !== null));
  const [head, ...rest] = rows;
  return { format: 'csv', headers: (head?.cells ?? []).map((c) => String(c ?? '')), rows: rest };
}

/** Row values by column key, with conversion failures collected per column (once each). */
class RowReader {
  readonly errors: RowError[] = [];
  private readonly values = new Map<string, unknown>();
  constructor(
    private readonly row: { rowNumber: number; cells: cells.Cell[] },
    private readonly positions: Map<string, { index: number; header: string }>,
  ) {}

  has(key: string): boolean {
    return this.positions.has(key);
  }

  header(key: string): string | undefined {
    return this.positions.get(key)?.header;
  }

  get<T>(key: string, convert: (c: cells.Cell) => T): T | undefined {
    const pos = this.positions.get(key);
    if (!pos) return undefined;
    if (this.values.has(key)) return this.values.get(key) as T | undefined;
    let value: T | undefined;
    try {
      value = convert(this.row.cells[pos.index] ?? null);
    } catch (e) {
      if (!(e instanceof cells.CellError)) throw e;
      this.errors.push({ row: this.row.rowNumber, field: key, column: pos.header, message: e.message });
    }
    this.values.set(key, value);
    return value;
  }

  /** Fields whose cells could not be read: the checks must not report them a second time. */
  failed(): Set<string> {
    return new Set(this.errors.map((e) => e.field));
  }
}

/** The column a field error belongs to: thresholds.red → 红色阈值, accumulation.0.windowSec → 累计阈值. */
function columnKeyOf(field: string): string {
  const [root, sub] = field.split('.');
  if (root === 'thresholds') return sub === 'direction' || !sub ? 'direction' : sub;
  if (root === 'pointId') return 'pointId';
  return root;
}

function rowErrors(rowNumber: number, errors: FieldError[], reader: RowReader, fallbackColumn?: (key: string) => string | undefined): RowError[] {
  return errors.map((e) => {
    const key = columnKeyOf(e.field);
    const column = reader.header(key) ?? fallbackColumn?.(key);
    return { row: rowNumber, field: e.field, ...(column ? { column } : {}), message: e.message };
  });
}

interface Plan<R> {
  inserts: R[];
  updates: { id: number; record: R }[];
  unchanged: number;
  errors: RowError[];
}

function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}

// ---- points ----

async function planPoints(q: Queryable, scope: RegionScope, table: Table, positions: Map<string, { index: number; header: string }>, mode: ImportMode): Promise<Plan<PointRecord>> {
  const plan: Plan<PointRecord> = { inserts: [], updates: [], unchanged: 0, errors: [] };
  const placement = new PlacementChecker(q);
  const readers = table.rows.map((r) => ({ row: r, reader: new RowReader(r, positions) }));
  const ids = readers.map(({ reader }) => reader.get('id', cells.integer)).filter((v): v is number => v !== undefined);
  const existing = new Map((await store.findPointsByIdOrName(q, scope, ids, [])).map((p) => [p.id, p]));
  const seenIds = new Map<number, number>();
  for (const { row, reader } of readers) {
    const id = reader.get('id', cells.integer);
    const input: PointInput = assignDefined<PointInput>({}, {
      name: reader.get('name', cells.text),
      type: reader.get('type', cells.pointType) as PointInput['type'],
      regionCode: reader.get('regionCode', cells.text),
      lon: reader.get('lon', cells.number),
      lat: reader.get('lat', cells.number),
      ownerUnit: reader.get('ownerUnit', cells.clearableText),
      watchesKind: reader.get('watchesKind', cells.watchesKind) as PointInput['watchesKind'],
      watchesRef: reader.get('watchesRef', cells.clearableText),
      watchesName: reader.get('watchesName', cells.clearableText),
      notes: reader.get('notes', cells.clearableText),
    });
    const errors: RowError[] = [];
    let current: PointView | undefined;
    if (id !== undefined) {
      if (mode === 'insert') {
        errors.push({ row: row.rowNumber, field: 'id', column: reader.header('id'), message: `is ${id}: leave it empty to add a new point, or import with mode=upsert to change point ${id}` });
      } else if (seenIds.has(id)) {
        errors.push({ row: row.rowNumber, field: 'id', column: reader.header('id'), message: `point ${id} is already changed by row ${seenIds.get(id)}` });
      } else {
        current = existing.get(id);
        if (!current) errors.push({ row: row.rowNumber, field: 'id', column: reader.header('id'), message: `there is no monitoring point ${id} in your region` });
        seenIds.set(id, row.rowNumber);
      }
    }
    errors.push(...reader.errors);
    // A row naming a point that cannot be changed has nothing further worth checking.
    if (id === undefined || current) {
      const failed = reader.failed();
      const before = current ? pointRecordOf(current) : null;
      const prepared = await preparePoint(scope, before, input, placement);
      errors.push(...rowErrors(row.rowNumber, prepared.errors.filter((e) => !failed.has(e.field)), reader, (k) => cells.POINT_COLUMNS.find((c) => c.key === k)?.header));
      if (errors.length === 0) {
        if (!before) plan.inserts.push(prepared.record);
        else if (sameRecord(prepared.record, before)) plan.unchanged++;
        else plan.updates.push({ id: current!.id, record: prepared.record });
      }
    }
    plan.errors.push(...errors);
  }
  return plan;
}

// ---- sensors ----

/** The point a sensor row names: by id, or by name within the row's region. */
function resolvePoint(reader: RowReader, rowNumber: number, pointsByName: Map<string, PointView[]>): { pointId?: number; errors: RowError[] } {
  const id = reader.get('pointId', cells.integer);
  if (id !== undefined) {
    // An unknown id is reported by the sensor checks, with the API's wording.
    return { pointId: id, errors: [] };
  }
  const name = reader.get('pointName', cells.text);
  if (name === undefined) return { errors: [] };
  const region = reader.get('regionCode', cells.text);
  const column = reader.header('pointName');
  if (region !== undefined && !isRegionCodeShape(region)) {
    return { errors: [{ row: rowNumber, field: 'regionCode', column: reader.header('regionCode'), message: 'must be a GB/T 2260 code of 6, 9 or 12 digits' }] };
  }
  const matches = (pointsByName.get(name) ?? []).filter((p) => !region || isWithinScope(p.regionCode, region));
  if (matches.length === 1) return { pointId: matches[0].id, errors: [] };
  if (matches.length === 0) {
    return { errors: [{ row: rowNumber, field: 'pointId', column, message: `there is no monitoring point named "${name}"${region ? ` in ${region}` : ''} in your region` }] };
  }
  return { errors: [{ row: rowNumber, field: 'pointId', column, message: `${matches.length} points are named "${name}" (${matches.map((p) => `${p.id} in ${p.regionCode}`).join(', ')}): give 监测点编号 or 区划代码` }] };
}

function thresholdsOf(reader: RowReader, current: SensorRecord | null, typeKey: string | undefined): Thresholds | undefined {
  const direction = reader.get('direction', cells.direction);
  const levels = LEVELS.map((l) => [l, reader.get(l, cells.number)] as const);
  if (direction === undefined && levels.every(([, v]) => v === undefined)) return undefined;
  const def = sensorType(typeKey ?? current?.type ?? '');
  const t: Thresholds = { direction: direction ?? current?.thresholds.direction ?? def?.thresholds.direction ?? 'above' };
  for (const [l, v] of levels) if (v !== undefined) t[l] = v;
  return t;
}

async function planSensors(q: Queryable, scope: RegionScope, table: Table, positions: Map<string, { index: number; header: string }>, mode: ImportMode): Promise<Plan<SensorRecord>> {
  const plan: Plan<SensorRecord> = { inserts: [], updates: [], unchanged: 0, errors: [] };
  const readers = table.rows.map((r) => ({ row: r, reader: new RowReader(r, positions) }));
  const codes = readers.map(({ reader }) => reader.get('code', cells.text)).filter((c): c is string => c !== undefined);
  const ownSensors = new Map((await store.findSensorsByCode(q, scope, codes)).map((s): [string, SensorView] => [s.code.toLowerCase(), s]));
  const taken = await store.takenCodes(q, codes);
  const pointIds = readers.map(({ reader }) => reader.get('pointId', cells.integer)).filter((v): v is number => v !== undefined);
  const pointNames = readers.map(({ reader }) => reader.get('pointName', cells.text)).filter((v): v is string => v !== undefined);
  const points = await store.findPointsByIdOrName(q, scope, pointIds, pointNames);
  const pointsById = new Map(points.map((p) => [p.id, p]));
  const pointsByName = new Map<string, PointView[]>();
  for (const p of points) pointsByName.set(p.name, [...(pointsByName.get(p.name) ?? []), p]);
  const seenCodes = new Map<string, number>();
  for (const { row, reader } of readers) {
    const code = reader.get('code', cells.text);
    const key = code?.toLowerCase();
    const typeKey = reader.get('type', cells.sensorTypeKey);
    const current = key !== undefined ? ownSensors.get(key) : undefined;
    const before = current ? sensorRecordOf(current) : null;
    const errors: RowError[] = [];
    const codeColumn = reader.header('code');
    if (key !== undefined && seenCodes.has(key)) {
      errors.push({ row: row.rowNumber, field: 'code', column: codeColumn, message: `${code} appears again (first on row ${seenCodes.get(key)})` });
    } else if (key !== undefined && taken.has(key)) {
      if (!current) errors.push({ row: row.rowNumber, field: 'code', column: codeColumn, message: CODE_TAKEN });
      else if (mode === 'insert') errors.push({ row: row.rowNumber, field: 'code', column: codeColumn, message: `${code} already exists: import with mode=upsert to change it` });
    }
    if (key !== undefined && !seenCodes.has(key)) seenCodes.set(key, row.rowNumber);
    const point = resolvePoint(reader, row.rowNumber, pointsByName);
    errors.push(...point.errors);
    const accumulation = reader.get('accumulation', (c) => {
      const s = cells.text(c);
      if (s === undefined) return undefined;
      try {
        return parseAccumulation(s);
      } catch (e) {
        throw new cells.CellError((e as Error).message);
      }
    });
    const input: SensorInput = assignDefined<SensorInput>({}, {
      code,
      pointId: point.pointId,
      type: typeKey,
      quantity: reader.get('quantity', cells.text),
      unit: reader.get('unit', cells.text),
      unitOverride: reader.get('unitOverride', cells.boolean),
      samplingIntervalSec: reader.get('samplingIntervalSec', cells.integer),
      rangeMin: reader.get('rangeMin', cells.clearableNumber),
      rangeMax: reader.get('rangeMax', cells.clearableNumber),
      thresholds: thresholdsOf(reader, before, typeKey),
      accumulation,
      enabled: reader.get('enabled', cells.boolean),
      notes: reader.get('notes', cells.clearableText),
    });
    errors.push(...reader.errors);
    const reported = new Set([...reader.failed(), ...errors.map((e) => e.field)]);
    // Codes were checked against the database and the rows above already.
    const prepared = await prepareSensor(q, scope, before, input, { points: pointsById, taken: NO_CODES });
    const fresh = prepared.errors.filter((e) => !reported.has(columnKeyOf(e.field)) && !reported.has(e.field));
    errors.push(...rowErrors(row.rowNumber, fresh, reader, (k) => (k === 'pointId' ? (reader.header('pointName') ?? '监测点编号') : cells.SENSOR_COLUMNS.find((c) => c.key === k)?.header)));
    if (errors.length === 0) {
      if (!before) plan.inserts.push(prepared.record);
      else if (sameRecord(prepared.record, before)) plan.unchanged++;
      else plan.updates.push({ id: current!.id, record: prepared.record });
    }
    plan.errors.push(...errors);
  }
  return plan;
}

// ---- the import ----

function rejectedRows(errors: RowError[]): number {
  return new Set(errors.map((e) => e.row)).size;
}

export async function importRegistry(
  deps: MonitoringDeps,
  who: ScopedActor,
  opts: { kind: cells.Kind; mode: ImportMode; dryRun: boolean; data: Uint8Array },
): Promise<ImportReport> {
  const table = await readTable(opts.data);
  const matched = cells.matchHeaders(opts.kind, table.headers);
  const positions = new Map<string, { index: number; header: string }>();
  const ignoredColumns: string[] = [];
  matched.forEach((c, index) => {
    const header = table.headers[index];
    if (!c) {
      if (header.trim()) ignoredColumns.push(header);
    } else if (!c.info && !positions.has(c.key)) positions.set(c.key, { index, header });
  });
  const required = opts.kind === 'points' ? ['name', 'type', 'regionCode', 'lon', 'lat'] : ['code'];
  const spec = cells.columnsOf(opts.kind);
  const missing = required.filter((k) => !positions.has(k)).map((k) => spec.find((c) => c.key === k)!);
  if (missing.length) {
    throw new ValidationError(
      missing.map((c) => ({ field: 'file', message: `missing column ${c.header} (${c.key})` })),
      `The header row (row 1) lacks ${missing.map((c) => c.header).join(', ')}`,
    );
  }
  if (table.rows.length === 0) throw new ValidationError([{ field: 'file', message: 'the file has no rows under the header row' }]);
  if (table.rows.length > MAX_ROWS) throw new ValidationError([{ field: 'file', message: `the file has more than ${MAX_ROWS} rows` }]);

  const run = async (q: Queryable, write: boolean): Promise<ImportReport> => {
    const report = (plan: Plan<unknown>): ImportReport => ({
      kind: opts.kind, mode: opts.mode, format: table.format, dryRun: opts.dryRun, rows: table.rows.length,
      inserted: plan.inserts.length, updated: plan.updates.length, unchanged: plan.unchanged, rejected: rejectedRows(plan.errors),
      errors: plan.errors.slice(0, MAX_LISTED_ERRORS), ignoredColumns,
    });
    const plan = opts.kind === 'points' ? await planPoints(q, who.scope, table, positions, opts.mode) : await planSensors(q, who.scope, table, positions, opts.mode);
    const result = report(plan);
    if (plan.inserts.length + plan.updates.length + plan.unchanged === 0) {
      throw new ValidationError(
        plan.errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.column ? `${e.column}: ${e.message}` : e.message })),
        `No row could be imported (${result.rejected} rejected)`,
      );
    }
    if (!write || plan.inserts.length + plan.updates.length === 0) return result;
    const insertedIds: number[] = [];
    const updatedIds: number[] = [];
    if (opts.kind === 'points') {
      insertedIds.push(...(await store.insertPoints(q, plan.inserts as PointRecord[], who.actor)));
      for (const u of plan.updates as { id: number; record: PointRecord }[]) if (await store.updatePoint(q, who.scope, u.id, null, u.record, who.actor)) updatedIds.push(u.id);
    } else {
      // Updates first: a renamed code frees its old one for a new row.
      for (const u of plan.updates as { id: number; record: SensorRecord }[]) if (await store.updateSensor(q, who.scope, u.id, null, u.record, who.actor)) updatedIds.push(u.id);
      insertedIds.push(...(await store.insertSensors(q, plan.inserts as SensorRecord[], who.actor)));
    }
    await appendAudit(q, deps.clock, who.actor, {
      action: 'monitoring.imported',
      targetType: opts.kind === 'points' ? 'monitoring_point' : 'monitoring_sensor',
      regionCode: who.scope.code,
      after: { kind: opts.kind, mode: opts.mode, format: table.format, rows: result.rows, inserted: insertedIds.length, updated: updatedIds.length, unchanged: result.unchanged, rejected: result.rejected, insertedIds, updatedIds },
    });
    return result;
  };

  if (opts.dryRun) return run(deps.db, false);
  let result: ImportReport;
  try {
    result = await deps.db.transaction((tx) => run(tx, true));
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505') {
      throw new ValidationError([{ field: 'code', message: `${CODE_TAKEN}; another change came in during the import, run it again` }]);
    }
    throw e;
  }
  if (result.inserted + result.updated > 0) {
    await deps.bus.publish({ type: 'monitoring.imported', regionCode: who.scope.code, at: deps.clock.now().toISOString(), data: { kind: result.kind, inserted: result.inserted, updated: result.updated } });
  }
  return result;
}
