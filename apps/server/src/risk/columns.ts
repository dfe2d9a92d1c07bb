/**
 * The spreadsheet layout of the enterprise and place registers, shared by export and import so
 * that an exported file imports again unchanged: Chinese headers written, Chinese or English
 * headers read (with the usual variants of a county's own ledgers), and the cell conversions.
 * The generic cell readers (text, numbers, "无" to clear) are the monitoring registry's.
 */
import { CellError, headerKey, text, type Cell } from '../monitoring/columns.ts';
import { DEPARTMENTS, INDUSTRIES, PLACE_KINDS, SCALES, termFromText, termName, type Term } from './catalogue.ts';

export { CellError, text, clearableText, number, clearableNumber, integer, type Cell } from '../monitoring/columns.ts';

export type Kind = 'enterprises' | 'places';

export interface ColumnSpec {
  key: string;
  header: string;
  aliases: string[];
  width: number;
  /** Shown for reading only; ignored by the import. */
  info?: boolean;
  help: string;
}

export const ENTERPRISE_COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', header: '编号', aliases: ['id'], width: 8, info: true, help: '系统编号，仅供阅读；导入按统一社会信用代码识别企业。' },
  { key: 'name', header: '企业名称', aliases: ['name', '名称', '单位名称', '生产经营单位名称', '企业（单位）名称'], width: 32, help: '企业名称（必填）。' },
  { key: 'uscc', header: '统一社会信用代码', aliases: ['uscc', '信用代码', '社会信用代码', '统一代码'], width: 22, help: '18 位统一社会信用代码（必填，GB 32100-2015，校验第18位）；同一代码只能登记一家企业。mode=upsert 时已有代码的行修改该企业。' },
  { key: 'industry', header: '行业', aliases: ['industry', '所属行业', '行业类别', '行业领域'], width: 14, help: '危险化学品、煤矿、非煤矿山、冶金、有色、建材、机械、轻工、纺织、烟草、商贸、烟花爆竹、燃气、交通运输、建筑施工、人员密集场所、电力、其他（必填）。' },
  { key: 'scale', header: '企业规模', aliases: ['scale', '规模'], width: 10, help: '大型、中型、小型、微型（统计上大中小微型企业划分办法（2017））。' },
  { key: 'department', header: '行业主管部门', aliases: ['department', '主管部门', '监管部门', '行业监管部门'], width: 18, help: '如 应急管理局、住建局、交通运输局、商务局、文旅局、教育局、发改局；工贸、危化、矿山、烟花爆竹行业默认应急管理局，燃气、建筑施工默认住建局，交通运输默认交通运输局，其他行业必填。' },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code', '行政区划代码', '区划'], width: 14, help: '所在县（区、市）、乡镇（街道）或村（社区）的 GB/T 2260 代码；为空时按经纬度所在的县确定。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'address', header: '地址', aliases: ['address', '详细地址', '经营地址', '生产经营地址', '注册地址'], width: 36, help: '生产经营地址。' },
  { key: 'lon', header: '经度', aliases: ['lon', 'lng', 'longitude', 'x'], width: 12, help: 'WGS84 经度，度；与纬度同时填写或同时为空。' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude', 'y'], width: 12, help: 'WGS84 纬度，度。' },
  { key: 'principalName', header: '主要负责人', aliases: ['principal', 'principalName', '负责人', '法定代表人'], width: 12, help: '主要负责人姓名；多人以“、”分隔，与电话一一对应。' },
  { key: 'principalPhone', header: '主要负责人电话', aliases: ['principalPhone', '负责人电话', '负责人联系电话', '主要负责人联系电话'], width: 16, help: '手机号或带区号的固定电话。' },
  { key: 'safetyName', header: '安全管理人员', aliases: ['safetyManager', 'safetyName', '安全员', '安全负责人', '安全管理员'], width: 12, help: '安全管理人员姓名；多人以“、”分隔。' },
  { key: 'safetyPhone', header: '安全管理人员电话', aliases: ['safetyPhone', '安全员电话', '安全负责人电话', '安全管理人员联系电话'], width: 16, help: '手机号或带区号的固定电话。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
  { key: 'majorInstallations', header: '重大危险源', aliases: ['majorInstallations'], width: 12, info: true, help: '仅供阅读：构成重大危险源的单元数及最高级别。' },
];

export const PLACE_COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', header: '编号', aliases: ['id', '场所编号'], width: 8, help: '系统编号。导入时为空表示新增；mode=upsert 时填写已有编号表示修改该场所。' },
  { key: 'name', header: '场所名称', aliases: ['name', '名称', '店名', '场所'], width: 28, help: '场所名称（必填）。' },
  { key: 'kind', header: '场所类型', aliases: ['kind', '类型', '类别'], width: 14, help: '小餐饮、小作坊、出租屋、经营性自建房、小旅馆、小商店、小歌舞娱乐场所、小网吧、小美容洗浴场所、小学校或幼儿园、小医院、其他（必填）。' },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code', '行政区划代码', '区划', '所在网格区划'], width: 14, help: '所在乡镇（街道）或村（社区）的 GB/T 2260 代码（必填；网格员为空时取其所在乡镇或村）。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'address', header: '地址', aliases: ['address', '详细地址'], width: 36, help: '地址。' },
  { key: 'lon', header: '经度', aliases: ['lon', 'lng', 'longitude', 'x'], width: 12, help: 'WGS84 经度，度。' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude', 'y'], width: 12, help: 'WGS84 纬度，度。' },
  { key: 'operatorName', header: '经营者', aliases: ['operatorName', 'operator', '负责人', '经营者姓名', '户主', '房主'], width: 12, help: '经营者或负责人姓名。' },
  { key: 'operatorPhone', header: '联系电话', aliases: ['operatorPhone', 'phone', '电话', '经营者电话'], width: 16, help: '手机号或带区号的固定电话。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
  { key: 'registeredBy', header: '登记人', aliases: ['registeredBy'], width: 14, info: true, help: '仅供阅读：登记该场所的网格员或工作人员。' },
];

export function columnsOf(kind: Kind): readonly ColumnSpec[] {
  return kind === 'enterprises' ? ENTERPRISE_COLUMNS : PLACE_COLUMNS;
}

/** Which column each header of a file is; null for headers Anlan does not know. */
export function matchHeaders(kind: Kind, headers: string[]): (ColumnSpec | null)[] {
  const index = new Map<string, ColumnSpec>();
  for (const c of columnsOf(kind)) for (const h of [c.header, c.key, ...c.aliases]) index.set(headerKey(h), c);
  return headers.map((h) => {
    const k = headerKey(h);
    return index.get(k) ?? index.get(k.replace(/[(（].*[)）]$/, '')) ?? null;
  });
}

function termCell(list: readonly Term[], what: string) {
  return (cell: Cell): string | undefined => {
    const s = text(cell);
    if (s === undefined) return undefined;
    const key = termFromText(list, s);
    if (!key) throw new CellError(`unknown ${what} "${s}"`);
    return key;
  };
}

export const industry = termCell(INDUSTRIES, 'industry');
export const department = termCell(DEPARTMENTS, 'supervising department');
export const placeKind = termCell(PLACE_KINDS, 'kind of place');

export function scale(cell: Cell): string | null | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  if (['无', '-', '—'].includes(s)) return null;
  const key = termFromText(SCALES, s);
  if (!key) throw new CellError(`unknown scale "${s}" (大型, 中型, 小型 or 微型)`);
  return key;
}

/** "张三、李四" → ["张三", "李四"]. */
export function list(cell: Cell): string[] | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  return s.split(/[、;；,，/\n]+/).map((x) => x.trim()).filter(Boolean);
}

export const industryCell = (key: string): string => termName(INDUSTRIES, key) ?? key;
export const departmentCell = (key: string): string => termName(DEPARTMENTS, key) ?? key;
export const scaleCell = (key: string | null): string | null => termName(SCALES, key);
export const placeKindCell = (key: string): string => termName(PLACE_KINDS, key) ?? key;
