/**
 * Bulk import of the roster from an .xlsx workbook (sheet 责任人 and/or sheet 包保对象) or a CSV
 * file (one of the two tables). Every row goes through the checks of the JSON routes; bad rows are
 * reported by sheet, row number (the header is row 1), column and reason, and the good ones are
 * stored together in one transaction with one audit entry.
 *
 * A person's superior is named by phone: another row of the same file, in any order, or a person
 * already on the roster. So a whole county (village → township → county) imports in one go; a
 * row whose superior was rejected is rejected too, and rows that would make a loop are refused.
 * An assignment names its person by phone the same way.
 *
 * `mode=insert` (default) only adds: a phone already on the roster is a row error. `mode=upsert`
 * also changes: a person row with a known phone changes that person, an assignment row with 编号
 * changes that assignment; empty cells keep the current values, "无" clears.
 */
import { ValidationError, parseCsv, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../../audit/service.ts';
import { readXlsxRows } from '../../http/xlsx.ts';
import * as cells from '../../monitoring/columns.ts';
import type { ScopedActor } from '../../users/service.ts';
import * as columns from './columns.ts';
import { RosterRegions } from './regions.ts';
import {
  PHONE_TAKEN_ELSEWHERE,
  assignmentRecordOf,
  loopMessage,
  personRecordOf,
  prepareAssignment,
  type RosterDeps,
} from './service.ts';
import * as store from './store.ts';
import { checkPersonFields, checkPhone, mergePerson, normalisePhone, sameRecord, type AssignmentInput, type AssignmentRecord, type PersonInput, type PersonRecord } from './validate.ts';

export type ImportMode = 'insert' | 'upsert';

export interface RowError {
  sheet: string;
  row: number;
  field: string;
  /** The header of the column in the file, when the field came from one. */
  column?: string;
  message: string;
}

export interface SheetReport {
  kind: columns.SheetKind;
  sheet: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Headers that are not roster columns; their cells were not read. */
  ignoredColumns: string[];
}

export interface RosterImportReport {
  format: 'xlsx' | 'csv';
  mode: ImportMode;
  dryRun: boolean;
  sheets: SheetReport[];
  /** Sheets of the workbook that hold neither persons nor assignments. */
  ignoredSheets: string[];
  errors: RowError[];
  /** All errors, when more than the listed ones. */
  errorCount: number;
}

export type ImportProgress = (stage: 'read' | 'persons' | 'assignments' | 'write', done: number, total: number) => void;

const MAX_ROWS = 100_000;
const MAX_LISTED_ERRORS = 1000;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** An Excel 97–2003 .xls: refused by the workbook reader with the advice to save it as .xlsx. */
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const SHEET_ALIASES: Record<columns.SheetKind, string[]> = {
  persons: ['责任人', '责任人名册', 'persons', 'people', 'roster'],
  assignments: ['包保对象', '包保', 'assignments', '包保对象清单'],
};

type Positions = Map<string, { index: number; header: string }>;

interface Table {
  kind: columns.SheetKind;
  sheet: string;
  rows: { rowNumber: number; cells: cells.Cell[] }[];
  positions: Positions;
  ignoredColumns: string[];
}

/** Excel on a Chinese Windows saves "CSV" in GB18030 unless told UTF-8; both are read. */
function decodeCsv(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(data);
  }
}

function positionsOf(kind: columns.SheetKind, headers: string[]): { positions: Positions; ignoredColumns: string[] } {
  const positions: Positions = new Map();
  const ignoredColumns: string[] = [];
  columns.matchHeaders(kind, headers).forEach((c, index) => {
    const header = headers[index];
    if (!c) {
      if (header.trim()) ignoredColumns.push(header);
    } else if (!c.info && !positions.has(c.key)) positions.set(c.key, { index, header });
  });
  return { positions, ignoredColumns };
}

/** The kind of a sheet: by its name, else by the columns it has. */
function classify(name: string, headers: string[]): columns.SheetKind | null {
  const key = cells.headerKey(name);
  for (const kind of ['persons', 'assignments'] as const) if (SHEET_ALIASES[kind].some((a) => cells.headerKey(a) === key)) return kind;
  for (const kind of ['persons', 'assignments'] as const) {
    const { positions } = positionsOf(kind, headers);
    if (columns.REQUIRED[kind].every((k) => positions.has(k))) return kind;
  }
  return null;
}

function tableOf(kind: columns.SheetKind, sheet: string, rows: { rowNumber: number; cells: cells.Cell[] }[]): Table {
  const [head, ...rest] = rows;
  const headers = (head?.cells ?? []).map((c) => (c === null ? '' : String(c)));
  const { positions, ignoredColumns } = positionsOf(kind, headers);
  const spec = columns.columnsOf(kind);
  const missing = columns.REQUIRED[kind].filter((k) => !positions.has(k)).map((k) => spec.find((c) => c.key === k)!);
  if (missing.length) {
    throw new ValidationError(
      missing.map((c) => ({ field: 'file', message: `sheet ${sheet}: missing column ${c.header} (${c.key})` })),
      `The header row (row 1) of sheet ${sheet} lacks ${missing.map((c) => c.header).join(', ')}`,
    );
  }
  return { kind, sheet, rows: rest, positions, ignoredColumns };
}

async function readTables(data: Uint8Array, hint: columns.SheetKind | undefined): Promise<{ format: 'xlsx' | 'csv'; tables: Table[]; ignoredSheets: string[] }> {
  if (ZIP_MAGIC.every((b, i) => data[i] === b) || OLE2_MAGIC.every((b, i) => data[i] === b)) {
    const first = await readXlsxRows(data, { maxRows: MAX_ROWS + 1 });
    const tables: Table[] = [];
    const ignoredSheets: string[] = [];
    for (const name of first.sheets) {
      if (name === '说明') continue;
      const sheet = name === first.sheet ? first : await readXlsxRows(data, { sheet: name, maxRows: MAX_ROWS + 1 });
      const headers = (sheet.rows[0]?.cells ?? []).map((c) => (c === null ? '' : String(c)));
      const kind = classify(name, headers) ?? (first.sheets.length === 1 ? hint ?? null : null);
      if (!kind || tables.some((t) => t.kind === kind)) {
        if (sheet.rows.length) ignoredSheets.push(name);
        continue;
      }
      tables.push(tableOf(kind, name, sheet.rows));
    }
    if (tables.length === 0) {
      throw new ValidationError([
        { field: 'file', message: `no sheet holds the persons (columns ${columns.REQUIRED.persons.join(', ')}) or the assignments (columns ${columns.REQUIRED.assignments.join(', ')}); name the sheets ${columns.SHEET_NAMES.persons} and ${columns.SHEET_NAMES.assignments}` },
      ]);
    }
    // Persons first: assignments may name persons of the same file.
    tables.sort((a, b) => (a.kind === 'persons' ? -1 : 1) - (b.kind === 'persons' ? -1 : 1));
    return { format: 'xlsx', tables, ignoredSheets };
  }
  const records = parseCsv(decodeCsv(data));
  if (records.length > MAX_ROWS + 1) throw new ValidationError([{ field: 'file', message: `the file has more than ${MAX_ROWS} rows` }]);
  // One CSV record is one spreadsheet row, also when a quoted cell spans several lines.
  const rows = records.map((r, i) => ({ rowNumber: i + 1, cells: r.map((c): cells.Cell => (c.trim() === '' ? null : c)) })).filter((r) => r.cells.some((c) => c !== null));
  const headers = (rows[0]?.cells ?? []).map((c) => String(c ?? ''));
  const kind = hint ?? classify('', headers);
  if (!kind) {
    throw new ValidationError([{ field: 'file', message: `the header row has neither the persons' columns (${columns.REQUIRED.persons.join(', ')}) nor the assignments' (${columns.REQUIRED.assignments.join(', ')}); or give ?kind=persons|assignments` }]);
  }
  const sheet = kind === 'persons' ? columns.SHEET_NAMES.persons : columns.SHEET_NAMES.assignments;
  return { format: 'csv', tables: [tableOf(kind, sheet, rows)], ignoredSheets: [] };
}

/** Row values by column key; a cell that cannot be read is reported against its column, once. */
class RowReader {
  readonly errors: RowError[] = [];
  constructor(
    private readonly table: Table,
    readonly row: { rowNumber: number; cells: cells.Cell[] },
  ) {}

  header(key: string): string | undefined {
    return this.table.positions.get(key)?.header;
  }

  get<T>(key: string, convert: (c: cells.Cell) => T): T | undefined {
    const pos = this.table.positions.get(key);
    if (!pos) return undefined;
    try {
      return convert(this.row.cells[pos.index] ?? null);
    } catch (e) {
      if (!(e instanceof cells.CellError)) throw e;
      this.error(key, e.message);
      return undefined;
    }
  }

  error(field: string, message: string, columnKey = field): void {
    const column = this.header(columnKey) ?? columns.columnsOf(this.table.kind).find((c) => c.key === columnKey)?.header;
    this.errors.push({ sheet: this.table.sheet, row: this.row.rowNumber, field, ...(column ? { column } : {}), message });
  }

  fieldErrors(errors: FieldError[]): void {
    const reported = new Set(this.errors.map((e) => e.field));
    for (const e of errors) if (!reported.has(e.field)) this.error(e.field, e.message);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

function assignDefined<T extends object>(values: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

const phoneCell = (c: cells.Cell) => {
  const s = columns.phone(c);
  return s === undefined ? undefined : normalisePhone(s);
};
const clearablePhone = (c: cells.Cell) => (cells.clearableText(c) === null ? null : phoneCell(c));

// ---- persons ----

/** Where a person's superior is: another row of the file, or a person on the roster. */
type SuperiorRef = { row: PersonRow } | { id: number } | null;

interface PersonRow {
  reader: RowReader;
  phone: string;
  current: store.PersonView | null;
  record: PersonRecord;
  /** undefined: keep the current superior (upsert, empty cell). */
  superior: SuperiorRef | undefined;
  /** Set once written (or a placeholder in a dry run). */
  id: number | null;
}

interface PersonPlan {
  rows: PersonRow[];
  /** Rows that passed every check, by phone: assignments of the same file look their person up here. */
  good: Map<string, PersonRow>;
  /** Rows that were rejected, by phone, to say so when an assignment names one. */
  rejected: Map<string, PersonRow>;
}

function superiorId(row: PersonRow): number | null {
  const s = row.superior === undefined ? (row.current ? { id: row.current.superiorId } : null) : row.superior;
  if (s === null) return null;
  if ('row' in s) return s.row.id;
  return s.id;
}

async function planPersons(q: Queryable, scope: RegionScope, table: Table, mode: ImportMode, regions: RosterRegions, progress?: ImportProgress): Promise<PersonPlan & { errors: RowError[] }> {
  const readers = table.rows.map((r) => new RowReader(table, r));
  type Parsed = { reader: RowReader; phone?: string; superiorPhone?: string | null; username?: string | null; input: PersonInput };
  const parsed: Parsed[] = readers.map((reader) => ({
    reader,
    phone: reader.get('phone', phoneCell),
    superiorPhone: reader.get('superiorPhone', clearablePhone),
    username: reader.get('username', cells.clearableText),
    input: assignDefined<PersonInput>({
      name: reader.get('name', cells.text),
      roles: reader.get('roles', columns.roles),
      regionCode: reader.get('regionCode', cells.text),
      email: reader.get('email', cells.clearableText),
      active: reader.get('active', cells.boolean),
      notes: reader.get('notes', cells.clearableText),
    }),
  }));
  await regions.preload(parsed.map((p) => p.input.regionCode).filter((c): c is string => c !== undefined));
  const phones = new Set<string>();
  for (const p of parsed) for (const ph of [p.phone, p.superiorPhone]) if (ph) phones.add(ph);
  const known = new Map((await store.findPersonsByPhone(q, scope, [...phones])).map((p) => [p.phone, p]));
  const usernames = [...new Set(parsed.map((p) => p.username).filter((u): u is string => typeof u === 'string'))];
  const users = new Map<string, Awaited<ReturnType<typeof store.findLinkableUser>>>();
  for (const u of usernames) users.set(u, await store.findLinkableUser(q, scope, { username: u }));

  const firstRowOfPhone = new Map<string, PersonRow>();
  const linkedUsers = new Map<number, number>();
  const rows: PersonRow[] = [];
  for (const [i, p] of parsed.entries()) {
    const { reader } = p;
    let current: store.PersonView | null = null;
    if (p.phone === undefined) {
      if (!reader.errors.some((e) => e.field === 'phone')) reader.error('phone', 'is required');
    } else {
      const bad = checkPhone(p.phone);
      if (bad) reader.error('phone', bad.message);
      else if (firstRowOfPhone.has(p.phone)) reader.error('phone', `${p.phone} appears again (first on row ${firstRowOfPhone.get(p.phone)!.reader.row.rowNumber})`);
      else {
        const existing = known.get(p.phone);
        if (existing && !existing.inScope) reader.error('phone', PHONE_TAKEN_ELSEWHERE);
        else if (existing && mode === 'insert') reader.error('phone', `${p.phone} is already on the roster (${existing.name}, person ${existing.id}): import with mode=upsert to change it`);
        else if (existing) current = existing;
      }
    }
    const before = current ? personRecordOf(current) : null;
    const input: PersonInput = { ...p.input, ...(p.phone !== undefined ? { phone: p.phone } : {}) };
    if (p.username !== undefined) {
      if (p.username === null) input.userId = null;
      else {
        const user = users.get(p.username);
        if (!user) reader.error('userId', `there is no user ${p.username} in your region`, 'username');
        else if (user.linkedPersonId !== null && user.linkedPersonId !== current?.id) reader.error('userId', `the account ${p.username} is already linked to responsible person ${user.linkedPersonId}`, 'username');
        else if (linkedUsers.has(user.id)) reader.error('userId', `the account ${p.username} is already given on row ${linkedUsers.get(user.id)}`, 'username');
        else {
          input.userId = user.id;
          linkedUsers.set(user.id, reader.row.rowNumber);
        }
      }
    }
    const merged = mergePerson(before, input);
    const errors = [...merged.errors, ...checkPersonFields(merged.record, input)];
    if (merged.record.regionCode && !errors.some((e) => e.field === 'regionCode') && (!before || merged.record.regionCode !== before.regionCode)) {
      const e = await regions.check(scope, merged.record.regionCode);
      if (e) errors.push(e);
    }
    reader.fieldErrors(errors.filter((e) => e.field !== 'phone' || !reader.errors.some((x) => x.field === 'phone')));
    const row: PersonRow = { reader, phone: p.phone ?? '', current, record: merged.record, superior: undefined, id: current?.id ?? null };
    if (p.phone !== undefined && !firstRowOfPhone.has(p.phone)) firstRowOfPhone.set(p.phone, row);
    rows.push(row);
    if (i % 500 === 499) progress?.('persons', i + 1, parsed.length);
  }

  // Superiors: a row of this file (any order) or a person on the roster.
  for (const [i, row] of rows.entries()) {
    const sp = parsed[i].superiorPhone;
    if (sp === undefined) {
      if (!row.current) row.superior = null;
      continue;
    }
    if (sp === null) {
      row.superior = null;
      continue;
    }
    const bad = checkPhone(sp, 'superiorPhone');
    if (bad) row.reader.error('superiorId', bad.message, 'superiorPhone');
    else if (sp === row.phone) row.reader.error('superiorId', 'a person cannot be their own superior', 'superiorPhone');
    else if (firstRowOfPhone.has(sp)) row.superior = { row: firstRowOfPhone.get(sp)! };
    else if (known.get(sp)?.inScope) row.superior = { id: known.get(sp)!.id };
    else if (known.has(sp)) row.reader.error('superiorId', `${sp} is the phone of a responsible person outside your region`, 'superiorPhone');
    else row.reader.error('superiorId', `no responsible person with phone ${sp} is on the roster of your region or in this file`, 'superiorPhone');
  }

  await rejectLoops(q, rows);
  propagateRejections(rows);
  const good = new Map<string, PersonRow>();
  const rejected = new Map<string, PersonRow>();
  for (const row of rows) if (row.phone) (row.reader.ok ? good : rejected).set(row.phone, row);
  progress?.('persons', rows.length, rows.length);
  return { rows, good, rejected, errors: rows.flatMap((r) => r.reader.errors) };
}

/** A row whose superior is a rejected row cannot be imported either (its chain would break). */
function propagateRejections(rows: PersonRow[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const row of rows) {
      const s = row.superior;
      if (row.reader.ok && s && 'row' in s && !s.row.reader.ok) {
        row.reader.error('superiorId', `the superior's row (row ${s.row.reader.row.rowNumber}) could not be imported`, 'superiorPhone');
        changed = true;
      }
    }
  }
}

/**
 * Rows whose chain of superiors, as it would stand after the import, comes back to them. Only a
 * changed person can close a loop (a new one has nobody below it on the roster yet), but the
 * loop may run through persons of the roster the file does not mention.
 */
async function rejectLoops(q: Queryable, rows: PersonRow[]): Promise<void> {
  const byId = new Map(rows.filter((r) => r.current).map((r) => [r.current!.id, r]));
  const dbIds = new Set<number>();
  for (const r of rows) {
    const s = r.superior === undefined ? (r.current?.superiorId != null ? { id: r.current.superiorId } : null) : r.superior;
    if (s && 'id' in s) dbIds.add(s.id);
  }
  const links = await store.superiorLinksAbove(q, [...dbIds]);
  type Node = PersonRow | number;
  const next = (n: Node): Node | null => {
    if (typeof n === 'number') {
      const row = byId.get(n);
      if (row) return next(row);
      const s = links.get(n)?.superiorId ?? null;
      if (s === null) return null;
      return byId.get(s) ?? s;
    }
    const s = n.superior === undefined ? (n.current?.superiorId != null ? { id: n.current.superiorId } : null) : n.superior;
    if (s === null) return null;
    if ('row' in s) return s.row;
    return byId.get(s.id) ?? s.id;
  };
  const nameOf = (n: Node) => (typeof n === 'number' ? (links.get(n)?.name ?? String(n)) : n.record.name || `row ${n.reader.row.rowNumber}`);
  const clear = new Set<PersonRow>();
  const looped = new Set<PersonRow>();
  for (const start of rows) {
    if (clear.has(start) || looped.has(start)) continue;
    const path: Node[] = [];
    const seen = new Set<Node>();
    let at: Node | null = start;
    while (at !== null && !seen.has(at) && !(typeof at !== 'number' && (clear.has(at) || looped.has(at)))) {
      seen.add(at);
      path.push(at);
      at = next(at);
    }
    if (at !== null && seen.has(at)) {
      const loop = path.slice(path.indexOf(at));
      const names = [...loop, loop[0]].map(nameOf);
      for (const n of loop) {
        if (typeof n === 'number' || looped.has(n)) continue;
        looped.add(n);
        n.reader.error('superiorId', loopMessage(names), 'superiorPhone');
      }
    }
    for (const n of path) if (typeof n !== 'number' && !looped.has(n)) clear.add(n);
  }
}

// ---- assignments ----

interface AssignmentPlan {
  inserts: { row: PersonRow | null; personId: number | null; record: AssignmentRecord }[];
  updates: { id: number; personId: number; record: AssignmentRecord }[];
  unchanged: number;
  errors: RowError[];
  rejected: number;
}

async function planAssignments(q: Queryable, scope: RegionScope, table: Table, mode: ImportMode, persons: PersonPlan | null, regions: RosterRegions, progress?: ImportProgress): Promise<AssignmentPlan> {
  const plan: AssignmentPlan = { inserts: [], updates: [], unchanged: 0, errors: [], rejected: 0 };
  const readers = table.rows.map((r) => new RowReader(table, r));
  const ids = readers.map((r) => r.get('id', cells.integer)).filter((v): v is number => v !== undefined);
  const existing = new Map((await store.findAssignmentsById(q, scope, ids)).map((a) => [a.id, a]));
  const phones = readers.map((r) => r.get('personPhone', phoneCell)).filter((v): v is string => v !== undefined);
  const known = new Map((await store.findPersonsByPhone(q, scope, [...new Set(phones)])).map((p) => [p.phone, p]));
  await regions.preload(readers.map((r) => r.get('regionCode', cells.text)).filter((c): c is string => c !== undefined));
  const seenIds = new Map<number, number>();
  for (const [i, reader] of readers.entries()) {
    const id = reader.get('id', cells.integer);
    const phone = reader.get('personPhone', phoneCell);
    const input = assignDefined<AssignmentInput>({
      kind: reader.get('kind', columns.assignmentKind),
      category: reader.get('category', (c) => (cells.clearableText(c) === null ? null : columns.category(c))),
      name: reader.get('name', cells.text),
      regionCode: reader.get('regionCode', cells.text),
      lon: reader.get('lon', cells.clearableNumber),
      lat: reader.get('lat', cells.clearableNumber),
      people: reader.get('people', cells.integer),
      ref: reader.get('ref', cells.clearableText),
      active: reader.get('active', cells.boolean),
      notes: reader.get('notes', cells.clearableText),
    });
    // Whose it is: a person of this file, or of the roster.
    let personRow: PersonRow | null = null;
    let personId: number | null = null;
    if (phone === undefined) {
      if (!reader.errors.some((e) => e.field === 'personPhone')) reader.error('personPhone', 'is required');
    } else if (checkPhone(phone)) {
      reader.error('personPhone', checkPhone(phone)!.message);
    } else if (persons?.good.has(phone)) {
      personRow = persons.good.get(phone)!;
      personId = personRow.current?.id ?? null;
    } else if (persons?.rejected.has(phone)) {
      const r = persons.rejected.get(phone)!;
      reader.error('personPhone', `the person with phone ${phone} (sheet ${r.reader.errors[0]?.sheet ?? columns.SHEET_NAMES.persons}, row ${r.reader.row.rowNumber}) could not be imported`);
    } else if (known.get(phone)?.inScope) {
      personId = known.get(phone)!.id;
    } else {
      reader.error('personPhone', `no responsible person with phone ${phone} is on the roster of your region${persons ? ' or in this file' : ''}`);
    }
    let current: store.AssignmentView | null = null;
    if (id !== undefined) {
      if (mode === 'insert') reader.error('id', `is ${id}: leave it empty to add an assignment, or import with mode=upsert to change assignment ${id}`);
      else if (seenIds.has(id)) reader.error('id', `assignment ${id} is already changed by row ${seenIds.get(id)}`);
      else {
        current = existing.get(id) ?? null;
        seenIds.set(id, reader.row.rowNumber);
        if (!current) reader.error('id', `there is no assignment ${id} in your region`);
        else if (personId !== null && current.personId !== personId) {
          reader.error('personPhone', `assignment ${id} belongs to ${current.personName} (${current.personPhone}); to give it to another person, delete it and add it again`);
        }
      }
    }
    if (id === undefined || current) {
      const before = current ? assignmentRecordOf(current) : null;
      const prepared = await prepareAssignment(q, scope, before, input, regions);
      reader.fieldErrors(prepared.errors);
      if (reader.ok) {
        if (!before) plan.inserts.push({ row: personRow, personId, record: prepared.record });
        else if (sameRecord(prepared.record, before)) plan.unchanged++;
        else plan.updates.push({ id: current!.id, personId: current!.personId, record: prepared.record });
      }
    }
    if (!reader.ok) plan.rejected++;
    plan.errors.push(...reader.errors);
    if (i % 500 === 499) progress?.('assignments', i + 1, readers.length);
  }
  progress?.('assignments', readers.length, readers.length);
  return plan;
}

// ---- the import ----

export async function importRoster(
  deps: RosterDeps,
  who: ScopedActor,
  opts: { mode: ImportMode; dryRun: boolean; data: Uint8Array; kind?: columns.SheetKind; onProgress?: ImportProgress },
): Promise<RosterImportReport> {
  opts.onProgress?.('read', 0, 1);
  const { format, tables, ignoredSheets } = await readTables(opts.data, opts.kind);
  opts.onProgress?.('read', 1, 1);
  const total = tables.reduce((n, t) => n + t.rows.length, 0);
  if (total === 0) throw new ValidationError([{ field: 'file', message: 'the file has no rows under the header row' }]);
  if (total > MAX_ROWS) throw new ValidationError([{ field: 'file', message: `the file has more than ${MAX_ROWS} rows` }]);

  const run = async (q: Queryable, write: boolean): Promise<RosterImportReport> => {
    const regions = new RosterRegions(q);
    const personTable = tables.find((t) => t.kind === 'persons');
    const assignmentTable = tables.find((t) => t.kind === 'assignments');
    const persons = personTable ? await planPersons(q, who.scope, personTable, opts.mode, regions, opts.onProgress) : null;
    const assignments = assignmentTable ? await planAssignments(q, who.scope, assignmentTable, opts.mode, persons, regions, opts.onProgress) : null;

    const goodPersons = persons ? persons.rows.filter((r) => r.reader.ok) : [];
    const newPersons = goodPersons.filter((r) => !r.current);
    const sheets: SheetReport[] = [];
    let personUpdates: PersonRow[] = [];
    if (persons && personTable) {
      // Rows that change nothing are not a change (their superiors compare by id: new rows have none yet).
      personUpdates = goodPersons.filter((r) => r.current && !(sameRecord({ ...r.record, superiorId: superiorId(r) }, personRecordOf(r.current)) && !pendsOnNew(r)));
      sheets.push({
        kind: 'persons', sheet: personTable.sheet, rows: personTable.rows.length, inserted: newPersons.length, updated: personUpdates.length,
        unchanged: goodPersons.length - newPersons.length - personUpdates.length, rejected: persons.rows.length - goodPersons.length, ignoredColumns: personTable.ignoredColumns,
      });
    }
    if (assignments && assignmentTable) {
      sheets.push({
        kind: 'assignments', sheet: assignmentTable.sheet, rows: assignmentTable.rows.length, inserted: assignments.inserts.length, updated: assignments.updates.length,
        unchanged: assignments.unchanged, rejected: assignments.rejected, ignoredColumns: assignmentTable.ignoredColumns,
      });
    }
    const errors = [...(persons?.errors ?? []), ...(assignments?.errors ?? [])];
    const report: RosterImportReport = { format, mode: opts.mode, dryRun: opts.dryRun, sheets, ignoredSheets, errors: errors.slice(0, MAX_LISTED_ERRORS), errorCount: errors.length };
    const importable = sheets.reduce((n, s) => n + s.inserted + s.updated + s.unchanged, 0);
    if (importable === 0) {
      throw new ValidationError(
        errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: `${e.sheet} row ${e.row}: ${e.field}`, message: e.column ? `${e.column}: ${e.message}` : e.message })),
        `No row could be imported (${sheets.reduce((n, s) => n + s.rejected, 0)} rejected)`,
      );
    }
    const changes = sheets.reduce((n, s) => n + s.inserted + s.updated, 0);
    if (!write || changes === 0) return report;

    opts.onProgress?.('write', 0, changes);
    // Loops were checked against the roster as it stood when planning; nobody changes links meanwhile.
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['warning.roster.chain']);
    const insertedPersons = await store.insertPersons(q, newPersons.map((r) => ({ ...r.record, superiorId: null })), who.actor);
    newPersons.forEach((r, i) => (r.id = insertedPersons[i]));
    await store.setSuperiors(q, newPersons.filter((r) => superiorId(r) !== null).map((r) => ({ id: r.id!, superiorId: superiorId(r) })));
    for (const r of personUpdates) await store.updatePerson(q, who.scope, r.current!.id, null, { ...r.record, superiorId: superiorId(r) }, who.actor);
    opts.onProgress?.('write', newPersons.length + personUpdates.length, changes);
    const insertedAssignments = assignments
      ? await store.insertAssignments(q, assignments.inserts.map((a) => ({ personId: a.personId ?? a.row!.id!, record: a.record })), who.actor)
      : [];
    for (const u of assignments?.updates ?? []) await store.updateAssignment(q, who.scope, u.personId, u.id, null, u.record, who.actor);
    await appendAudit(q, deps.clock, who.actor, {
      action: 'warning.roster_imported',
      targetType: 'responsible_person',
      regionCode: who.scope.code,
      after: {
        format, mode: opts.mode, sheets: sheets.map(({ ignoredColumns: _i, ...s }) => s),
        persons: { insertedIds: insertedPersons, updatedIds: personUpdates.map((r) => r.current!.id) },
        assignments: { insertedIds: insertedAssignments, updatedIds: (assignments?.updates ?? []).map((u) => u.id) },
      },
    });
    opts.onProgress?.('write', changes, changes);
    return report;
  };

  if (opts.dryRun) return run(deps.db, false);
  let report: RosterImportReport;
  try {
    report = await deps.db.transaction((tx) => run(tx, true));
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505') {
      throw new ValidationError([{ field: 'phone', message: 'a phone of the file was registered by someone else during the import; run it again' }]);
    }
    throw e;
  }
  const changed = report.sheets.reduce((n, s) => n + s.inserted + s.updated, 0);
  if (changed > 0) {
    // The embedded database runs no autovacuum: fresh statistics keep resolution's plans right.
    if (changed >= 1000) await deps.db.exec('ANALYZE responsible_persons; ANALYZE guardian_assignments;');
    await deps.bus.publish({ type: 'warning.roster_imported', regionCode: who.scope.code, at: deps.clock.now().toISOString(), data: { sheets: report.sheets.map((s) => ({ kind: s.kind, inserted: s.inserted, updated: s.updated })) } });
  }
  return report;
}

/** An update whose superior is a new row of the file: it changes, whatever its other fields. */
function pendsOnNew(r: PersonRow): boolean {
  return r.superior !== undefined && r.superior !== null && 'row' in r.superior && !r.superior.row.current;
}
