/**
 * The spreadsheet layout of the registry, shared by export and import so that an exported file
 * imports again unchanged: one column per field, Chinese headers written, Chinese or English
 * headers read, and the cell conversions both ways.
 */
import {
  pointTypeFromText,
  pointTypeName,
  sensorType,
  sensorTypeFromText,
  watchesKindFromText,
  watchesKindName,
  type Direction,
} from './catalogue.ts';

export type Kind = 'points' | 'sensors';

export interface ColumnSpec {
  key: string;
  /** Written by the export; read back, as are the aliases. */
  header: string;
  aliases: string[];
  width: number;
  /** Shown for reading only; ignored by the import. */
  info?: boolean;
  /** Explained on the 说明 sheet. */
  help: string;
}

export const POINT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', header: '编号', aliases: ['id', '监测点编号', '点位编号'], width: 8, help: '系统编号。导入时为空表示新增；mode=upsert 时填写已有编号表示修改该监测点。' },
  { key: 'name', header: '名称', aliases: ['name', '监测点名称', '点位名称'], width: 28, help: '监测点名称（必填）。' },
  { key: 'type', header: '类型', aliases: ['type', '监测点类型', 'pointType'], width: 14, help: '雨量站、水文站、水库、危化企业/储罐区、尾矿库、滑坡隐患点、桥梁、燃气管网、气象站、其他（或英文键，如 rain_gauge）。' },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code', '行政区划代码', '区划'], width: 12, help: '所在县（区、市）或乡镇（街道）的 GB/T 2260 代码（必填）。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'lon', header: '经度', aliases: ['lon', 'lng', 'longitude', 'x'], width: 12, help: 'WGS84 经度，度（必填）；须位于所填区划范围内。' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude', 'y'], width: 12, help: 'WGS84 纬度，度（必填）。' },
  { key: 'ownerUnit', header: '权属单位', aliases: ['ownerUnit', 'owner_unit', 'owner', '管理单位', '责任单位'], width: 24, help: '权属或管理单位。' },
  { key: 'watchesKind', header: '监测对象类别', aliases: ['watchesKind', 'watches_kind'], width: 12, help: '企业、大坝、尾矿库、边坡/滑坡体、桥梁、水库、河流、管道、储罐、其他。填写监测对象编号或名称时必填。' },
  { key: 'watchesRef', header: '监测对象编号', aliases: ['watchesRef', 'watches_ref'], width: 16, help: '被监测对象的编号（如企业统一社会信用代码、水库代码）。' },
  { key: 'watchesName', header: '监测对象名称', aliases: ['watchesName', 'watches_name'], width: 24, help: '被监测对象的名称。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
  { key: 'sensorCount', header: '传感器数', aliases: ['sensorCount'], width: 10, info: true, help: '仅供阅读，导入时忽略。' },
];

export const SENSOR_COLUMNS: readonly ColumnSpec[] = [
  { key: 'code', header: '编码', aliases: ['code', '传感器编码', '设备编码', '传感器编号'], width: 18, help: '传感器编码（必填，全国唯一，不区分大小写），字母、数字、“.”“_”“-”，如 LD-RAIN-001。已有编码在 mode=upsert 时修改，否则报错。' },
  { key: 'pointId', header: '监测点编号', aliases: ['pointId', 'point_id'], width: 10, help: '所属监测点的系统编号；为空时按“监测点”名称查找。' },
  { key: 'pointName', header: '监测点', aliases: ['point', 'pointName', 'point_name', '监测点名称'], width: 28, help: '所属监测点名称（无编号时使用）；重名时请填编号或区划代码。' },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code'], width: 12, help: '按名称查找监测点时限定的区划；导出时为监测点所在区划。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'type', header: '监测项', aliases: ['type', '类型', '传感器类型', 'sensorType'], width: 16, help: '监测项名称或键，如 雨量 / rainfall、河道水位、可燃气体浓度；见 GET /api/v1/monitoring/types。' },
  { key: 'quantity', header: '物理量', aliases: ['quantity'], width: 20, help: '物理量键；为空时取监测项的默认值。' },
  { key: 'unit', header: '单位', aliases: ['unit'], width: 8, help: '单位；为空时取监测项的默认单位。与监测项不同时须在“自定义单位”填“是”。' },
  { key: 'unitOverride', header: '自定义单位', aliases: ['unitOverride', 'unit_override'], width: 10, help: '是/否：有意使用与监测项不同的物理量或单位。' },
  { key: 'samplingIntervalSec', header: '采样间隔（秒）', aliases: ['samplingIntervalSec', 'sampling_interval_sec', '采样间隔', '采样周期'], width: 12, help: '采样间隔，秒，1–86400。' },
  { key: 'rangeMin', header: '量程下限', aliases: ['rangeMin', 'range_min'], width: 10, help: '量程下限；与上限同时填写或同时为空（空：监测项默认量程）。' },
  { key: 'rangeMax', header: '量程上限', aliases: ['rangeMax', 'range_max'], width: 10, help: '量程上限。' },
  { key: 'direction', header: '阈值方向', aliases: ['direction', '报警方向'], width: 10, help: 'above（高于报警，也可写 高于/上限）或 below（低于报警，也可写 低于/下限）。填写方向后四级阈值按所填内容（空即无）；方向和四级阈值都为空时取监测项默认阈值。' },
  { key: 'blue', header: '蓝色阈值', aliases: ['blue', '蓝色', '蓝'], width: 10, help: '蓝色预警阈值。' },
  { key: 'yellow', header: '黄色阈值', aliases: ['yellow', '黄色', '黄'], width: 10, help: '黄色预警阈值。' },
  { key: 'orange', header: '橙色阈值', aliases: ['orange', '橙色', '橙'], width: 10, help: '橙色预警阈值。' },
  { key: 'red', header: '红色阈值', aliases: ['red', '红色', '红'], width: 10, help: '红色预警阈值。' },
  { key: 'accumulation', header: '累计阈值', aliases: ['accumulation', '累计雨量阈值', '时段累计阈值'], width: 48, help: '时段累计阈值（雨量），如 1h:20/-/-/-; 3h:-/-/50/100（蓝/黄/橙/红，“-”为无）；“无”表示不设；空取默认。' },
  { key: 'enabled', header: '启用', aliases: ['enabled', '是否启用'], width: 8, help: '是/否，默认是。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
];

export function columnsOf(kind: Kind): readonly ColumnSpec[] {
  return kind === 'points' ? POINT_COLUMNS : SENSOR_COLUMNS;
}

/** Headers compared loosely: full-width forms, case, spaces, "_" and "-" do not matter. */
export function headerKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s_\-*]/g, '');
}

/** Which column each header of a file is; null for headers Anlan does not know. */
export function matchHeaders(kind: Kind, headers: string[]): (ColumnSpec | null)[] {
  const index = new Map<string, ColumnSpec>();
  for (const c of columnsOf(kind)) for (const h of [c.header, c.key, ...c.aliases]) index.set(headerKey(h), c);
  return headers.map((h) => {
    const k = headerKey(h);
    // "经度(°)", "采样间隔(s)": a unit in brackets after the name.
    return index.get(k) ?? index.get(k.replace(/\(.*\)$/, '')) ?? null;
  });
}

// ---- cells in ----

export type Cell = string | number | null;

/** A value the import could not read, reported against its column. */
export class CellError extends Error {}

const FORMULA_START = /^'(?=[=+\-@\t\r])/;

/** Text of a cell; the apostrophe the CSV export puts before "=", "+", "-", "@" is removed. */
export function text(cell: Cell): string | undefined {
  if (cell === null) return undefined;
  const s = String(cell).trim().replace(FORMULA_START, '');
  return s === '' ? undefined : s;
}

const NONE = new Set(['无', '-', '—', 'none', 'null']);

/** Text where "无" or "-" means "clear it". */
export function clearableText(cell: Cell): string | null | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  return NONE.has(s.toLowerCase()) ? null : s;
}

export function number(cell: Cell): number | undefined {
  if (typeof cell === 'number') return cell;
  const s = text(cell);
  if (s === undefined) return undefined;
  const n = Number(s.normalize('NFKC').replace(/,/g, ''));
  if (!Number.isFinite(n)) throw new CellError(`"${s}" is not a number`);
  return n;
}

export function clearableNumber(cell: Cell): number | null | undefined {
  const s = text(cell);
  if (s !== undefined && NONE.has(s.toLowerCase())) return null;
  return number(cell);
}

export function integer(cell: Cell): number | undefined {
  const n = number(cell);
  if (n !== undefined && !Number.isInteger(n)) throw new CellError(`${n} is not a whole number`);
  return n;
}

const YES = new Set(['是', 'true', 'yes', 'y', '1', '启用', '√']);
const NO = new Set(['否', 'false', 'no', 'n', '0', '停用', '禁用', '×']);

export function boolean(cell: Cell): boolean | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const k = s.toLowerCase();
  if (YES.has(k)) return true;
  if (NO.has(k)) return false;
  throw new CellError(`"${s}" is neither 是 nor 否`);
}

const ABOVE = new Set(['above', '高于', '上限', '超过', '大于', '>', '>=', '≥']);
const BELOW = new Set(['below', '低于', '下限', '小于', '<', '<=', '≤']);

export function direction(cell: Cell): Direction | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const k = s.toLowerCase().replace(/报警$/, '');
  if (ABOVE.has(k)) return 'above';
  if (BELOW.has(k)) return 'below';
  throw new CellError(`"${s}" is neither above (高于) nor below (低于)`);
}

export function pointType(cell: Cell): string | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const key = pointTypeFromText(s);
  if (!key) throw new CellError(`unknown point type "${s}"`);
  return key;
}

export function sensorTypeKey(cell: Cell): string | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const key = sensorTypeFromText(s);
  if (!key) throw new CellError(`unknown sensor type "${s}"; see GET /api/v1/monitoring/types`);
  return key;
}

export function watchesKind(cell: Cell): string | null | undefined {
  const s = clearableText(cell);
  if (s === undefined || s === null) return s;
  const key = watchesKindFromText(s);
  if (!key) throw new CellError(`unknown kind "${s}"`);
  return key;
}

// ---- cells out ----

export const yesNo = (b: boolean): string => (b ? '是' : '否');
export const pointTypeCell = (key: string): string => pointTypeName(key);
export const sensorTypeCell = (key: string): string => sensorType(key)?.name ?? key;
export const watchesKindCell = (key: string | null): string | null => (key === null ? null : watchesKindName(key));
