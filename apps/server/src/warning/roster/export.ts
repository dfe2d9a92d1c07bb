/**
 * The roster as a spreadsheet in the import's layout: an .xlsx workbook with the sheets 责任人
 * and 包保对象 (and 说明, the columns explained), or one of the two tables as CSV. Export, edit
 * in Excel, import again with mode=upsert.
 */
import type { Clock, RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import { XLSX_CONTENT_TYPE, buildXlsx, type XlsxCell } from '../../http/xlsx.ts';
import { yesNo } from '../../monitoring/columns.ts';
import { toCsv } from '../../monitoring/export.ts';
import * as columns from './columns.ts';
import * as store from './store.ts';

/** Far beyond a province's roster; a runaway export would hold the database. */
const MAX_EXPORT_ROWS = 300_000;

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
  asciiFilename: string;
}

type Row = Record<string, XlsxCell>;

async function personRows(db: Database, scope: RegionScope, regionCode?: string): Promise<Row[]> {
  const persons = (await store.listPersons(db, scope, { regionCode, limit: MAX_EXPORT_ROWS, offset: 0 })).items;
  const phoneOf = new Map(persons.map((p) => [p.id, p.phone]));
  // A superior outside the list (another region of the scope) is looked up; one outside the scope stays blank.
  const missing = [...new Set(persons.map((p) => p.superiorId).filter((id): id is number => id !== null && !phoneOf.has(id)))];
  for (const p of await store.findPersonsById(db, scope, missing)) phoneOf.set(p.id, p.phone);
  return persons.map((p) => ({
    id: p.id, name: p.name, phone: p.phone, roles: columns.rolesCell(p.roles), regionCode: p.regionCode, regionName: p.regionName,
    superiorPhone: p.superiorId === null ? null : (phoneOf.get(p.superiorId) ?? null), superiorName: p.superiorName, email: p.email,
    username: p.username, active: yesNo(p.active), notes: p.notes,
  }));
}

async function assignmentRows(db: Database, scope: RegionScope, regionCode?: string): Promise<Row[]> {
  const list = (await store.listAssignments(db, scope, { regionCode, limit: MAX_EXPORT_ROWS, offset: 0 })).items;
  return list.map((a) => ({
    id: a.id, personPhone: a.personPhone, personName: a.personName, kind: columns.kindCell(a.kind), category: columns.categoryCell(a.category), name: a.name,
    regionCode: a.regionCode, regionName: a.regionName, lon: a.lon, lat: a.lat, people: a.people, ref: a.ref, active: yesNo(a.active), notes: a.notes,
  }));
}

function stamp(clock: Clock): string {
  // The bureau's calendar day, not UTC's.
  return new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

const sheetColumns = (kind: columns.SheetKind) => columns.columnsOf(kind).map((c) => ({ header: c.header, key: c.key, width: c.width }));

export async function exportRoster(
  deps: { db: Database; clock: Clock },
  scope: RegionScope,
  opts: { format: 'xlsx' | 'csv'; kind?: columns.SheetKind; regionCode?: string },
): Promise<ExportFile> {
  const region = opts.regionCode ?? scope.code;
  if (opts.format === 'csv') {
    const kind = opts.kind ?? 'persons';
    const rows = kind === 'persons' ? await personRows(deps.db, scope, opts.regionCode) : await assignmentRows(deps.db, scope, opts.regionCode);
    return {
      body: toCsv(columns.columnsOf(kind), rows),
      contentType: 'text/csv; charset=utf-8',
      filename: `${columns.SHEET_NAMES[kind]}-${region}-${stamp(deps.clock)}.csv`,
      asciiFilename: `roster-${kind}-${region}-${stamp(deps.clock)}.csv`,
    };
  }
  const [persons, assignments] = [await personRows(deps.db, scope, opts.regionCode), await assignmentRows(deps.db, scope, opts.regionCode)];
  const body = await buildXlsx({
    title: '责任人名册',
    created: deps.clock.now(),
    sheets: [
      { name: columns.SHEET_NAMES.persons, columns: sheetColumns('persons'), rows: persons, autoFilter: true },
      { name: columns.SHEET_NAMES.assignments, columns: sheetColumns('assignments'), rows: assignments, autoFilter: true },
      {
        name: '说明',
        columns: [
          { header: '表', key: 'sheet', width: 10 },
          { header: '列', key: 'header', width: 14 },
          { header: '英文列名', key: 'key', width: 16 },
          { header: '说明', key: 'help', width: 100 },
        ],
        rows: (['persons', 'assignments'] as const).flatMap((kind) => columns.columnsOf(kind).map((c) => ({ sheet: columns.SHEET_NAMES[kind], header: c.header, key: c.key, help: c.help }))),
        notes: [
          '导入：POST /api/v1/warning/roster/import?mode=insert|upsert，请求体为本文件（.xlsx）或 CSV（一张表）；也可用命令 anlan warning roster import <文件>。',
          '表头为第 1 行；错误按表名、行号、列报告，正确的行照常导入。上级和包保责任人均以手机号指定，可引用同一文件中的行（顺序不限）。',
          'mode=upsert 时：手机号已登记的责任人按本行修改，填写编号的包保对象按本行修改；空单元格保留原值，“无”表示清空。',
        ],
      },
    ],
  });
  return { body, contentType: XLSX_CONTENT_TYPE, filename: `责任人名册-${region}-${stamp(deps.clock)}.xlsx`, asciiFilename: `roster-${region}-${stamp(deps.clock)}.xlsx` };
}
