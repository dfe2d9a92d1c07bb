/**
 * Bulk import of enterprises or places from an .xlsx or CSV file (a county's own ledger, or the
 * export edited in Excel). Each row goes through the same checks as the JSON routes; bad rows are
 * reported by spreadsheet row number (the header is row 1), column and reason, good rows are
 * stored together in one transaction with one audit entry for the import.
 *
 * Enterprises are identified by their credit code: a code that appears twice in the file, or that
 * is already registered, is a row error (mode=insert); with mode=upsert a code registered in the
 * caller's region updates that enterprise, empty cells keeping their values. Places have no
 * code: mode=upsert changes the place whose 编号 the row gives.
 */
import { ValidationError, normaliseUscc, parseCsv, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import { readXlsxRows } from '../http/xlsx.ts';
import type { ScopedActor } from '../users/service.ts';
import * as cells from './columns.ts';
import { RegistryPlacement } from './placement.ts';
import {
  enterpriseRecordOf,
  placeRecordOf,
  prepareEnterprise,
  preparePlace,
  usccTakenMessage,
  type EnterpriseView,
  type PlaceView,
  type RiskDeps,
} from './service.ts';
import * as store from './store.ts';
import { PHONE_MESSAGE, normalisePhone, sameRecord, type EnterpriseInput, type EnterpriseRecord, type PersonRecord, type PlaceInput, type PlaceRecord } from './validate.ts';

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
  /** Headers of the file that are not register columns; their cells were not read. */
  ignoredColumns: string[];
}

export const MAX_ROWS = 50_000;
const MAX_LISTED_ERRORS = 1000;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

interface SheetRow {
  rowNumber: number;
  cells: cells.Cell[];
}

interface Table {
  format: 'xlsx' | 'csv';
  headers: string[];
  rows: SheetRow[];
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
  if (ZIP_MAGIC.every((b, i) => data[i] === b)) {
    const sheet = await readXlsxRows(data, { maxRows: MAX_ROWS + 1 });
    const [head, ...rows] = sheet.rows;
    return { format: 'xlsx', headers: (head?.cells ?? []).map((c) => (c === null ? '' : String(c))), rows };
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

type Positions = Map<string, { index: number; header: string }>;

/** Stages read → check (row by row) → write, for a progress bar. */
export type Progress = (stage: 'read' | 'check' | 'write', done: number, total: number) => void;

/** Row values by column key, with conversion failures collected per column. */
class RowReader {
  readonly errors: RowError[] = [];
  private readonly values = new Map<string, unknown>();
  constructor(
    readonly row: SheetRow,
    private readonly positions: Positions,
  ) {}

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

  error(field: string, message: string, columnKey = field): RowError {
    const column = this.header(columnKey);
    return { row: this.row.rowNumber, field, ...(column ? { column } : {}), message };
  }
}

function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}

interface Plan<R> {
  inserts: R[];
  updates: { id: number; record: R }[];
  unchanged: number;
  errors: RowError[];
}

function fallbackHeader(kind: cells.Kind, key: string): string | undefined {
  return cells.columnsOf(kind).find((c) => c.key === key)?.header;
}

// ---- enterprises ----

const PERSON_COLUMNS = {
  principal: { name: 'principalName', phone: 'principalPhone' },
  safety_manager: { name: 'safetyName', phone: 'safetyPhone' },
} as const;

/** The persons of one role a row gives, or undefined when its columns are empty. */
function personsOf(reader: RowReader, role: keyof typeof PERSON_COLUMNS, errors: RowError[]): PersonRecord[] | undefined {
  const cols = PERSON_COLUMNS[role];
  const names = reader.get(cols.name, cells.list);
  const phones = reader.get(cols.phone, cells.list);
  if (names === undefined && phones === undefined) return undefined;
  const n = names ?? [];
  const p = phones ?? [];
  if (n.length !== p.length) {
    errors.push(reader.error(cols.phone, `give one phone for each name (${n.length} name(s), ${p.length} phone(s)), separated by “、”`));
    return undefined;
  }
  const out: PersonRecord[] = [];
  n.forEach((name, i) => {
    const phone = normalisePhone(p[i]);
    if (phone === null) errors.push(reader.error(cols.phone, `"${p[i]}" ${PHONE_MESSAGE}`));
    else out.push({ role, name, phone });
  });
  return out;
}

/** The column of a field error: persons.3.phone → the phone column of that person's role. */
function enterpriseColumnKey(field: string, persons: PersonRecord[]): string {
  const m = /^persons\.(\d+)\.(\w+)$/.exec(field);
  if (!m) return field.split('.')[0];
  const role = persons[Number(m[1])]?.role ?? 'principal';
  return m[2] === 'phone' ? PERSON_COLUMNS[role].phone : PERSON_COLUMNS[role].name;
}

async function planEnterprises(q: Queryable, scope: RegionScope, table: Table, positions: Positions, mode: ImportMode, progress: Progress): Promise<Plan<EnterpriseRecord> & { updateIds: number[] }> {
  const plan: Plan<EnterpriseRecord> & { updateIds: number[] } = { inserts: [], updates: [], unchanged: 0, errors: [], updateIds: [] };
  const placement = new RegistryPlacement(q);
  const readers = table.rows.map((r) => new RowReader(r, positions));
  const codes = readers.map((r) => r.get('uscc', cells.text)).filter((c): c is string => c !== undefined).map(normaliseUscc);
  const holders = new Map((await store.findByUscc(q, codes)).map((h) => [h.uscc, h]));
  const own = new Map<string, EnterpriseView>((await store.findEnterprisesByUscc(q, scope, codes)).map((e) => [e.uscc, e]));
  const seen = new Map<string, number>();
  for (const [i, reader] of readers.entries()) {
    progress('check', i, readers.length);
    const rowNumber = reader.row.rowNumber;
    const errors: RowError[] = [];
    const raw = reader.get('uscc', cells.text);
    const uscc = raw === undefined ? undefined : normaliseUscc(raw);
    let current: EnterpriseView | undefined;
    if (uscc !== undefined) {
      if (seen.has(uscc)) errors.push(reader.error('uscc', `${uscc} appears again (first on row ${seen.get(uscc)})`));
      else {
        seen.set(uscc, rowNumber);
        const holder = holders.get(uscc);
        const mine = own.get(uscc);
        if (holder) {
          const message = usccTakenMessage(holder, scope);
          if (mode === 'insert') errors.push(reader.error('uscc', mine ? `${message}: import with mode=upsert to change it` : message));
          else if (!mine) errors.push(reader.error('uscc', message));
          else current = mine;
        }
      }
    }
    const before = current ? enterpriseRecordOf(current) : null;
    const principal = personsOf(reader, 'principal', errors);
    const safety = personsOf(reader, 'safety_manager', errors);
    let persons: PersonRecord[] | undefined;
    if (principal !== undefined || safety !== undefined) {
      // Empty person columns keep that role's persons on an update.
      const keep = (role: PersonRecord['role']) => (before?.persons ?? []).filter((p) => p.role === role);
      persons = [...(principal ?? keep('principal')), ...(safety ?? keep('safety_manager'))];
    }
    const input: EnterpriseInput = assignDefined<EnterpriseInput>({}, {
      name: reader.get('name', cells.text),
      uscc,
      industry: reader.get('industry', cells.industry) as EnterpriseInput['industry'],
      scale: reader.get('scale', cells.scale) as EnterpriseInput['scale'],
      department: reader.get('department', cells.department) as EnterpriseInput['department'],
      regionCode: reader.get('regionCode', cells.text),
      address: reader.get('address', cells.clearableText),
      lon: reader.get('lon', cells.clearableNumber),
      lat: reader.get('lat', cells.clearableNumber),
      notes: reader.get('notes', cells.clearableText),
      persons,
    });
    errors.push(...reader.errors);
    const reported = new Set(errors.map((e) => e.field));
    // Codes were checked against the database and the rows above already.
    const prepared = await prepareEnterprise(q, scope, before, input, placement, { taken: new Map() });
    for (const e of prepared.errors) {
      const key = enterpriseColumnKey(e.field, prepared.record.persons);
      if (reported.has(key) || reported.has(e.field)) continue;
      const column = reader.header(key) ?? fallbackHeader('enterprises', key);
      errors.push({ row: rowNumber, field: e.field, ...(column ? { column } : {}), message: e.message });
    }
    if (errors.length === 0) {
      if (!before) plan.inserts.push(prepared.record);
      else if (sameRecord(prepared.record, before)) plan.unchanged++;
      else plan.updates.push({ id: current!.id, record: prepared.record });
    }
    plan.errors.push(...errors);
  }
  return plan;
}

// ---- places ----

async function planPlaces(q: Queryable, scope: RegionScope, table: Table, positions: Positions, mode: ImportMode, progress: Progress): Promise<Plan<PlaceRecord>> {
  const plan: Plan<PlaceRecord> = { inserts: [], updates: [], unchanged: 0, errors: [] };
  const placement = new RegistryPlacement(q);
  const readers = table.rows.map((r) => new RowReader(r, positions));
  const seenIds = new Map<number, number>();
  for (const [i, reader] of readers.entries()) {
    progress('check', i, readers.length);
    const rowNumber = reader.row.rowNumber;
    const errors: RowError[] = [];
    const id = reader.get('id', cells.integer);
    let current: PlaceView | undefined;
    if (id !== undefined) {
      if (mode === 'insert') errors.push(reader.error('id', `is ${id}: leave it empty to add a new place, or import with mode=upsert to change place ${id}`));
      else if (seenIds.has(id)) errors.push(reader.error('id', `place ${id} is already changed by row ${seenIds.get(id)}`));
      else {
        seenIds.set(id, rowNumber);
        current = (await store.findPlace(q, scope, id)) ?? undefined;
        if (!current) errors.push(reader.error('id', `there is no place ${id} in your region`));
      }
    }
    const input: PlaceInput = assignDefined<PlaceInput>({}, {
      name: reader.get('name', cells.text),
      kind: reader.get('kind', cells.placeKind) as PlaceInput['kind'],
      regionCode: reader.get('regionCode', cells.text),
      address: reader.get('address', cells.clearableText),
      lon: reader.get('lon', cells.clearableNumber),
      lat: reader.get('lat', cells.clearableNumber),
      operatorName: reader.get('operatorName', cells.clearableText),
      operatorPhone: reader.get('operatorPhone', cells.clearableText),
      notes: reader.get('notes', cells.clearableText),
    });
    errors.push(...reader.errors);
    // A row naming a place that cannot be changed has nothing further worth checking.
    if (id === undefined || current) {
      const before = current ? placeRecordOf(current) : null;
      const reported = new Set(errors.map((e) => e.field));
      const prepared = await preparePlace(scope, before, input, placement);
      for (const e of prepared.errors.filter((x: FieldError) => !reported.has(x.field))) {
        const column = reader.header(e.field) ?? fallbackHeader('places', e.field);
        errors.push({ row: rowNumber, field: e.field, ...(column ? { column } : {}), message: e.message });
      }
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

// ---- the import ----

export async function importRegister(
  deps: RiskDeps,
  who: ScopedActor,
  opts: { kind: cells.Kind; mode: ImportMode; dryRun: boolean; data: Uint8Array; progress?: Progress },
): Promise<ImportReport> {
  const progress: Progress = opts.progress ?? (() => undefined);
  progress('read', 0, 1);
  const table = await readTable(opts.data);
  progress('read', 1, 1);
  const matched = cells.matchHeaders(opts.kind, table.headers);
  const positions: Positions = new Map();
  const ignoredColumns: string[] = [];
  matched.forEach((c, index) => {
    const header = table.headers[index];
    if (!c) {
      if (header.trim()) ignoredColumns.push(header);
    } else if (!c.info && !positions.has(c.key)) positions.set(c.key, { index, header });
  });
  const required = opts.kind === 'enterprises' ? ['name', 'uscc', 'industry'] : ['name', 'kind'];
  const missing = required.filter((k) => !positions.has(k)).map((k) => cells.columnsOf(opts.kind).find((c) => c.key === k)!);
  if (missing.length) {
    throw new ValidationError(
      missing.map((c) => ({ field: 'file', message: `missing column ${c.header} (${c.key})` })),
      `The header row (row 1) lacks ${missing.map((c) => c.header).join(', ')}`,
    );
  }
  if (table.rows.length === 0) throw new ValidationError([{ field: 'file', message: 'the file has no rows under the header row' }]);
  if (table.rows.length > MAX_ROWS) throw new ValidationError([{ field: 'file', message: `the file has more than ${MAX_ROWS} rows` }]);

  const run = async (q: Queryable, write: boolean): Promise<ImportReport> => {
    const plan = opts.kind === 'enterprises' ? await planEnterprises(q, who.scope, table, positions, opts.mode, progress) : await planPlaces(q, who.scope, table, positions, opts.mode, progress);
    progress('check', table.rows.length, table.rows.length);
    const rejected = new Set(plan.errors.map((e) => e.row)).size;
    const result: ImportReport = {
      kind: opts.kind, mode: opts.mode, format: table.format, dryRun: opts.dryRun, rows: table.rows.length,
      inserted: plan.inserts.length, updated: plan.updates.length, unchanged: plan.unchanged, rejected,
      errors: plan.errors.slice(0, MAX_LISTED_ERRORS), ignoredColumns,
    };
    if (plan.inserts.length + plan.updates.length + plan.unchanged === 0) {
      throw new ValidationError(
        plan.errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.column ? `${e.column}: ${e.message}` : e.message })),
        `No row could be imported (${rejected} rejected)`,
      );
    }
    if (!write || plan.inserts.length + plan.updates.length === 0) return result;
    progress('write', 0, 1);
    const insertedIds: number[] = [];
    const updatedIds: number[] = [];
    if (opts.kind === 'enterprises') {
      for (const u of plan.updates as { id: number; record: EnterpriseRecord }[]) if (await store.updateEnterprise(q, who.scope, u.id, null, u.record, who.actor)) updatedIds.push(u.id);
      insertedIds.push(...(await store.insertEnterprises(q, plan.inserts as EnterpriseRecord[], who.actor)));
    } else {
      for (const u of plan.updates as { id: number; record: PlaceRecord }[]) if (await store.updatePlace(q, who.scope, u.id, null, u.record, who.actor)) updatedIds.push(u.id);
      insertedIds.push(...(await store.insertPlaces(q, plan.inserts as PlaceRecord[], who.actor)));
    }
    await appendAudit(q, deps.clock, who.actor, {
      action: 'risk.imported',
      targetType: opts.kind === 'enterprises' ? 'risk_enterprise' : 'risk_place',
      regionCode: who.scope.code,
      after: { kind: opts.kind, mode: opts.mode, format: table.format, rows: result.rows, inserted: insertedIds.length, updated: updatedIds.length, unchanged: result.unchanged, rejected, insertedIds, updatedIds },
    });
    progress('write', 1, 1);
    return result;
  };

  if (opts.dryRun) return run(deps.db, false);
  let result: ImportReport;
  try {
    result = await deps.db.transaction((tx) => run(tx, true));
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505') {
      throw new ValidationError([{ field: 'uscc', message: 'a credit code of the file was registered by someone else during the import; run it again' }]);
    }
    throw e;
  }
  if (result.inserted + result.updated > 0) {
    await deps.bus.publish({ type: 'risk.imported', regionCode: who.scope.code, at: deps.clock.now().toISOString(), data: { kind: result.kind, inserted: result.inserted, updated: result.updated } });
  }
  return result;
}
