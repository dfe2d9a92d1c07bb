/**
 * Excel (.xlsx) in and out, over the `exceljs` package:
 * - `buildXlsx` writes a workbook from plain sheet specs (columns with header, key, width and
 *   number format; rows of values), for downloads;
 * - `readXlsxRows` reads the cells of one sheet back as strings and numbers, for bulk imports;
 * - `attachmentDisposition` names a download, Chinese file names included (RFC 6266 / 8187).
 */
import type ExcelJS from 'exceljs';
import { ValidationError } from '@anlan/core';

/**
 * exceljs takes about a second to load, so it is loaded on the first download or import rather
 * than with the server.
 */
let excel: Promise<typeof ExcelJS> | null = null;
function loadExcel(): Promise<typeof ExcelJS> {
  excel ??= import('exceljs').then((m) => m.default);
  return excel;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Number formats used across Anlan's downloads. */
export const NUM_FMT = {
  integer: '#,##0',
  oneDecimal: '#,##0.0',
  twoDecimals: '#,##0.00',
  coordinate: '0.0000',
} as const;

export type XlsxValue = string | number | Date | null | undefined;

/** A cell with its own format, where a column holds values of different kinds (a key/value sheet). */
export interface XlsxStyledValue {
  value: XlsxValue;
  numFmt?: string;
  bold?: boolean;
}

export type XlsxCell = XlsxValue | XlsxStyledValue;

export interface XlsxColumn {
  header: string;
  key: string;
  /** In characters; a CJK character counts about two. */
  width?: number;
  numFmt?: string;
  align?: 'left' | 'center' | 'right';
}

export interface XlsxSheetSpec {
  /** At most 31 characters, none of \ / ? * : [ ] (Excel's rule). */
  name: string;
  columns: XlsxColumn[];
  rows: Record<string, XlsxCell>[];
  /** Keep the header row in view while scrolling (default true). */
  freezeHeader?: boolean;
  /** Filter/sort buttons on the header row (default false). */
  autoFilter?: boolean;
  /** Lines written below the table after one empty row, e.g. notes and sources. */
  notes?: string[];
}

export interface XlsxWorkbookSpec {
  sheets: XlsxSheetSpec[];
  creator?: string;
  created?: Date;
  title?: string;
}

const SHEET_NAME_FORBIDDEN = /[\\/?*:[\]]/;

function isStyled(cell: XlsxCell): cell is XlsxStyledValue {
  return typeof cell === 'object' && cell !== null && !(cell instanceof Date);
}

function plain(v: XlsxValue): ExcelJS.CellValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** The workbook as .xlsx bytes. */
export async function buildXlsx(spec: XlsxWorkbookSpec): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const wb = new Workbook();
  wb.creator = spec.creator ?? 'Anlan 安澜';
  wb.created = spec.created ?? new Date();
  if (spec.title) wb.title = spec.title;
  const seen = new Set<string>();
  for (const sheet of spec.sheets) {
    if (!sheet.name || sheet.name.length > 31 || SHEET_NAME_FORBIDDEN.test(sheet.name)) throw new Error(`invalid sheet name: ${JSON.stringify(sheet.name)}`);
    if (seen.has(sheet.name.toLowerCase())) throw new Error(`duplicate sheet name: ${sheet.name}`);
    seen.add(sheet.name.toLowerCase());
    const freeze = sheet.freezeHeader ?? true;
    const ws = wb.addWorksheet(sheet.name, { views: freeze ? [{ state: 'frozen', xSplit: 0, ySplit: 1 }] : [] });
    ws.columns = sheet.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width ?? Math.max(8, Math.min(40, displayWidth(c.header) + 2)),
      style: { ...(c.numFmt ? { numFmt: c.numFmt } : {}), ...(c.align ? { alignment: { horizontal: c.align, vertical: 'middle' } } : {}) },
    }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    header.height = 30;
    header.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFF3F8' } };
      cell.border = { bottom: { style: 'thin', color: { argb: 'FFB0B7C3' } } };
    });
    for (const row of sheet.rows) {
      const values: Record<string, ExcelJS.CellValue> = {};
      for (const c of sheet.columns) {
        const cell = row[c.key];
        values[c.key] = plain(isStyled(cell) ? cell.value : cell);
      }
      const added = ws.addRow(values);
      for (const c of sheet.columns) {
        const cell = row[c.key];
        if (!isStyled(cell)) continue;
        const target = added.getCell(c.key);
        if (cell.numFmt) target.numFmt = cell.numFmt;
        if (cell.bold) target.font = { bold: true };
      }
    }
    if (sheet.autoFilter && sheet.rows.length > 0) {
      ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: sheet.rows.length + 1, column: sheet.columns.length } };
    }
    if (sheet.notes?.length) {
      ws.addRow([]);
      for (const line of sheet.notes) {
        const r = ws.addRow([line]);
        r.getCell(1).font = { color: { argb: 'FF606266' } };
        r.getCell(1).alignment = { horizontal: 'left', vertical: 'top', wrapText: false };
      }
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Approximate width in Excel character units: CJK and full-width characters count two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

// ---- reading ----

export type XlsxReadCell = string | number | null;

export interface XlsxReadResult {
  /** Name of the sheet read. */
  sheet: string;
  /** Every sheet in the file, in order. */
  sheets: string[];
  /** Non-empty rows, in order; `cells[0]` is column A. */
  rows: { rowNumber: number; cells: XlsxReadCell[] }[];
}

export interface ReadXlsxOptions {
  /** Sheet name or 1-based position; default the first sheet. */
  sheet?: string | number;
  /** Refuse a sheet with more rows than this (default 100,000). */
  maxRows?: number;
  /** Field name in the ValidationError (default "file"). */
  field?: string;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(buf: Uint8Array, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * A date cell as the wall-clock text it shows in Excel: "2024-05-01" or "2024-05-01 08:30:00".
 * Excel stores no time zone; exceljs hands the serial back as that wall clock in UTC.
 */
function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const h = d.getUTCHours(), m = d.getUTCMinutes(), s = d.getUTCSeconds();
  return h === 0 && m === 0 && s === 0 ? day : `${day} ${pad(h)}:${pad(m)}:${pad(s)}`;
}

function cellValue(v: ExcelJS.CellValue): XlsxReadCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const s = v.trim();
    return s === '' ? null : s;
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return dateText(v) || null;
  if ('richText' in v) return cellValue(v.richText.map((r) => r.text).join(''));
  if ('hyperlink' in v) return cellValue(v.text);
  if ('formula' in v || 'sharedFormula' in v) return cellValue((v as ExcelJS.CellFormulaValue).result ?? null);
  if ('error' in v) return null;
  return null;
}

/**
 * The non-empty rows of one sheet of an .xlsx file, each cell a trimmed string, a number or
 * null (empty, error); dates become "YYYY-MM-DD[ HH:mm:ss]" text and formulas their cached
 * result. A file that is not an .xlsx workbook (CSV, old .xls, anything else) is a
 * ValidationError naming `field`, so an import route answers 400 with a readable reason.
 */
export async function readXlsxRows(data: Uint8Array, options: ReadXlsxOptions = {}): Promise<XlsxReadResult> {
  const field = options.field ?? 'file';
  const maxRows = options.maxRows ?? 100_000;
  const reject = (message: string): never => {
    throw new ValidationError([{ field, message }], message);
  };
  if (startsWith(data, OLE2_MAGIC)) reject('The file is an old Excel 97–2003 workbook (.xls); save it as .xlsx (Excel Workbook) and try again');
  if (!startsWith(data, ZIP_MAGIC)) reject('The file is not an Excel workbook (.xlsx)');
  const { Workbook } = await loadExcel();
  const wb = new Workbook();
  try {
    await wb.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ExcelJS.Buffer);
  } catch (e) {
    reject(`The file is not a readable Excel workbook (.xlsx): ${(e as Error)?.message ?? e}`);
  }
  const sheets = wb.worksheets.map((w) => w.name);
  if (sheets.length === 0) reject('The file is not an Excel workbook (.xlsx): it has no worksheet');
  const wanted = options.sheet ?? 1;
  const ws = typeof wanted === 'number' ? wb.worksheets[wanted - 1] : wb.worksheets.find((w) => w.name === wanted);
  if (!ws) return reject(`The workbook has no sheet ${JSON.stringify(wanted)} (sheets: ${sheets.join(', ')})`);
  const rows: XlsxReadResult['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rows.length >= maxRows) reject(`The sheet ${ws.name} has more than ${maxRows} rows`);
    const values = row.values as ExcelJS.CellValue[]; // 1-based, sparse
    const cells: XlsxReadCell[] = [];
    for (let c = 1; c < values.length; c++) cells.push(cellValue(values[c]));
    while (cells.length && cells[cells.length - 1] === null) cells.pop();
    if (cells.length) rows.push({ rowNumber, cells });
  });
  return { sheet: ws.name, sheets, rows };
}

// ---- download names ----

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`: browsers use the UTF-8
 * name (Chinese included), old clients the ASCII fallback.
 */
export function attachmentDisposition(filename: string, asciiFallback?: string): string {
  const fallback = (asciiFallback ?? filename).replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
