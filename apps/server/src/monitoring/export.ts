/**
 * The registry as a spreadsheet (.xlsx or CSV) in the import's column layout, so that a bureau
 * can export, edit in Excel and import again with mode=upsert.
 */
import type { Clock, RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import { XLSX_CONTENT_TYPE, buildXlsx, type XlsxCell } from '../http/xlsx.ts';
import { sensorType } from './catalogue.ts';
import * as cells from './columns.ts';
import * as store from './store.ts';
import { formatAccumulation } from './validate.ts';

/** Far beyond a county's or a province's registry; a runaway export would hold the database. */
const MAX_EXPORT_ROWS = 200_000;

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
  asciiFilename: string;
}

type Row = Record<string, XlsxCell>;

function pointRow(p: store.PointView): Row {
  return {
    id: p.id, name: p.name, type: cells.pointTypeCell(p.type), regionCode: p.regionCode, regionName: p.regionName, lon: p.lon, lat: p.lat,
    ownerUnit: p.ownerUnit, watchesKind: cells.watchesKindCell(p.watchesKind), watchesRef: p.watchesRef, watchesName: p.watchesName, notes: p.notes,
    sensorCount: p.sensorCount,
  };
}

function sensorRow(s: store.SensorView): Row {
  // "无" only where it differs from an empty cell, i.e. where the type has default windows.
  const accumulation = s.accumulation !== null || sensorType(s.type)?.accumulation ? formatAccumulation(s.accumulation) : null;
  return {
    code: s.code, pointId: s.pointId, pointName: s.pointName, regionCode: s.regionCode, regionName: s.regionName, type: cells.sensorTypeCell(s.type),
    quantity: s.quantity, unit: s.unit, unitOverride: cells.yesNo(s.unitOverride), samplingIntervalSec: s.samplingIntervalSec,
    rangeMin: s.rangeMin, rangeMax: s.rangeMax, direction: s.thresholds.direction,
    blue: s.thresholds.blue, yellow: s.thresholds.yellow, orange: s.thresholds.orange, red: s.thresholds.red,
    accumulation, enabled: cells.yesNo(s.enabled), notes: s.notes,
  };
}

async function rowsOf(db: Database, scope: RegionScope, kind: cells.Kind, filter: { type?: string; regionCode?: string }): Promise<Row[]> {
  const f = { ...filter, limit: MAX_EXPORT_ROWS, offset: 0 };
  return kind === 'points' ? (await store.listPoints(db, scope, f)).items.map(pointRow) : (await store.listSensors(db, scope, f)).items.map(sensorRow);
}

// Excel runs a cell that starts with one of these as a formula when it opens a CSV.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(v: XlsxCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && !(v instanceof Date)) return csvField(v.value);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v instanceof Date ? v.toISOString() : v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 with a byte-order mark: without it Excel on Chinese Windows reads the file as GBK. */
export function toCsv(columns: readonly cells.ColumnSpec[], rows: Row[]): Buffer {
  const lines = [columns.map((c) => csvField(c.header)).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c.key])).join(','))];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

function stamp(clock: Clock): string {
  // The bureau's calendar day, not UTC's.
  return new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export async function exportRegistry(
  deps: { db: Database; clock: Clock },
  scope: RegionScope,
  opts: { kind: cells.Kind; format: 'xlsx' | 'csv'; type?: string; regionCode?: string },
): Promise<ExportFile> {
  const columns = cells.columnsOf(opts.kind);
  const rows = await rowsOf(deps.db, scope, opts.kind, { type: opts.type, regionCode: opts.regionCode });
  const zh = opts.kind === 'points' ? '监测点' : '传感器';
  const base = `${zh}-${opts.regionCode ?? scope.code}-${stamp(deps.clock)}`;
  const ascii = `monitoring-${opts.kind}-${opts.regionCode ?? scope.code}-${stamp(deps.clock)}`;
  if (opts.format === 'csv') {
    return { body: toCsv(columns, rows), contentType: 'text/csv; charset=utf-8', filename: `${base}.csv`, asciiFilename: `${ascii}.csv` };
  }
  const body = await buildXlsx({
    title: `${zh}台账`,
    created: deps.clock.now(),
    sheets: [
      // The data sheet comes first and holds nothing but the table: the import reads sheet 1.
      { name: zh, columns: columns.map((c) => ({ header: c.header, key: c.key, width: c.width })), rows, autoFilter: true },
      {
        name: '说明',
        columns: [
          { header: '列', key: 'header', width: 16 },
          { header: '英文列名', key: 'key', width: 22 },
          { header: '说明', key: 'help', width: 100 },
        ],
        rows: columns.map((c) => ({ header: c.header, key: c.key, help: c.help })),
        notes: [
          '导入：POST /api/v1/monitoring/import?kind=' + opts.kind + '&mode=insert|upsert，请求体为本文件（.xlsx）或 CSV。',
          '表头为第 1 行；错误按表格行号报告。mode=upsert 时空单元格保留原值。',
        ],
      },
    ],
  });
  return { body, contentType: XLSX_CONTENT_TYPE, filename: `${base}.xlsx`, asciiFilename: `${ascii}.xlsx` };
}
