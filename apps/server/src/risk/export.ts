/**
 * The enterprise or place register as a spreadsheet (.xlsx or CSV) in the import's column layout,
 * so that a bureau can export, edit in Excel and import again with mode=upsert.
 */
import type { Clock, RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import { toCsv } from '../monitoring/export.ts';
import { XLSX_CONTENT_TYPE, buildXlsx, type XlsxCell } from '../http/xlsx.ts';
import { GRADE_BANDS } from './gb18218/tables.ts';
import * as cells from './columns.ts';
import * as store from './store.ts';

/** Far beyond a province's register; a runaway export would hold the database. */
const MAX_EXPORT_ROWS = 500_000;
const PAGE = 5000;

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
  asciiFilename: string;
}

type Row = Record<string, XlsxCell>;

function join(list: string[]): string | null {
  return list.length ? list.join('、') : null;
}

function enterpriseRow(e: store.EnterpriseView): Row {
  const of = (role: string) => e.persons.filter((p) => p.role === role);
  const grade = e.topGrade === null ? null : GRADE_BANDS.find((g) => g.grade === e.topGrade)?.label;
  return {
    id: e.id, name: e.name, uscc: e.uscc, industry: cells.industryCell(e.industry), scale: cells.scaleCell(e.scale), department: cells.departmentCell(e.department),
    regionCode: e.regionCode, regionName: e.regionName, address: e.address, lon: e.lon, lat: e.lat,
    principalName: join(of('principal').map((p) => p.name)), principalPhone: join(of('principal').map((p) => p.phone)),
    safetyName: join(of('safety_manager').map((p) => p.name)), safetyPhone: join(of('safety_manager').map((p) => p.phone)),
    notes: e.notes, majorInstallations: e.majorInstallationCount ? `${e.majorInstallationCount}个（最高${grade}）` : null,
  };
}

function placeRow(p: store.PlaceView): Row {
  return {
    id: p.id, name: p.name, kind: cells.placeKindCell(p.kind), regionCode: p.regionCode, regionName: p.regionName, address: p.address, lon: p.lon, lat: p.lat,
    operatorName: p.operatorName, operatorPhone: p.operatorPhone, notes: p.notes, registeredBy: p.registeredBy,
  };
}

async function rowsOf(db: Database, scope: RegionScope, kind: cells.Kind, filter: { regionCode?: string; industry?: string; placeKind?: string; q?: string }): Promise<Row[]> {
  const rows: Row[] = [];
  // Paged, so one statement never holds the embedded database for the whole register.
  for (let offset = 0; offset < MAX_EXPORT_ROWS; offset += PAGE) {
    const page = kind === 'enterprises'
      ? (await store.listEnterprises(db, scope, { regionCode: filter.regionCode, industry: filter.industry, q: filter.q, limit: PAGE, offset })).items.map(enterpriseRow)
      : (await store.listPlaces(db, scope, { regionCode: filter.regionCode, kind: filter.placeKind, q: filter.q, limit: PAGE, offset })).items.map(placeRow);
    rows.push(...page);
    if (page.length < PAGE) break;
  }
  return rows;
}

function stamp(clock: Clock): string {
  // The bureau's calendar day, not UTC's.
  return new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export async function exportRegister(
  deps: { db: Database; clock: Clock },
  scope: RegionScope,
  opts: { kind: cells.Kind; format: 'xlsx' | 'csv'; regionCode?: string; industry?: string; placeKind?: string; q?: string },
): Promise<ExportFile> {
  const columns = cells.columnsOf(opts.kind);
  const rows = await rowsOf(deps.db, scope, opts.kind, opts);
  const zh = opts.kind === 'enterprises' ? '生产经营单位' : '场所';
  const region = opts.regionCode ?? scope.code;
  const base = `${zh}-${region}-${stamp(deps.clock)}`;
  const ascii = `risk-${opts.kind}-${region}-${stamp(deps.clock)}`;
  if (opts.format === 'csv') return { body: toCsv(columns, rows), contentType: 'text/csv; charset=utf-8', filename: `${base}.csv`, asciiFilename: `${ascii}.csv` };
  const body = await buildXlsx({
    title: `${zh}台账`,
    created: deps.clock.now(),
    sheets: [
      // The data sheet comes first and holds nothing but the table: the import reads sheet 1.
      { name: zh, columns: columns.map((c) => ({ header: c.header, key: c.key, width: c.width })), rows, autoFilter: true },
      {
        name: '说明',
        columns: [
          { header: '列', key: 'header', width: 18 },
          { header: '英文列名', key: 'key', width: 18 },
          { header: '说明', key: 'help', width: 100 },
        ],
        rows: columns.map((c) => ({ header: c.header, key: c.key, help: c.help })),
        notes: [
          `导入：POST /api/v1/risk/import?kind=${opts.kind}&mode=insert|upsert，请求体为本文件（.xlsx）或 CSV。`,
          '表头为第 1 行；错误按表格行号报告，正确的行照常导入。mode=upsert 时空单元格保留原值。',
        ],
      },
    ],
  });
  return { body, contentType: XLSX_CONTENT_TYPE, filename: `${base}.xlsx`, asciiFilename: `${ascii}.xlsx` };
}
