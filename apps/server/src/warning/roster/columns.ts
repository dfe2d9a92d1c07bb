/**
 * The spreadsheet layout of the roster, shared by export and import so that an exported workbook
 * imports again: sheet 责任人 (persons, the superior named by phone) and sheet 包保对象
 * (assignments, the person named by phone). Chinese headers are written; Chinese or English
 * headers and the usual aliases are read.
 */
import { CellError, headerKey, text, type Cell, type ColumnSpec } from '../../monitoring/columns.ts';
import {
  ASSIGNMENT_KINDS,
  ROLES,
  VULNERABLE_CATEGORIES,
  assignmentKindFromText,
  assignmentKindLabel,
  categoryFromText,
  categoryLabel,
  roleFromText,
  roleLabel,
  type AssignmentKind,
  type RoleKey,
  type VulnerableCategory,
} from './vocabulary.ts';

export type SheetKind = 'persons' | 'assignments';

export const SHEET_NAMES: Record<SheetKind, string> = { persons: '责任人', assignments: '包保对象' };

const labels = (terms: readonly { zh: string }[]) => terms.map((t) => t.zh).join('、');

export const PERSON_COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', header: '编号', aliases: ['id', '责任人编号'], width: 8, info: true, help: '系统编号，仅供阅读；导入时按手机号识别责任人。' },
  { key: 'name', header: '姓名', aliases: ['name', '责任人姓名', '责任人'], width: 12, help: '姓名（必填）。' },
  { key: 'phone', header: '手机号', aliases: ['phone', 'mobile', '手机', '手机号码', '联系电话', '电话'], width: 14, help: '大陆手机号 11 位（必填，全库唯一）：短信发送地址，也是回复短信的身份。' },
  { key: 'roles', header: '角色', aliases: ['roles', 'role', '职责', '责任人类别', '责任人类型'], width: 22, help: `一个或多个，以“、”或逗号分隔：${labels(ROLES)}（或英文键，如 flood、grid）。` },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code', '行政区划代码', '区划', '所在区划代码'], width: 14, help: '任职的县（6 位）、乡镇（9 位）或村/社区（12 位）GB/T 2260 代码（必填），须在您的管辖范围内。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'superiorPhone', header: '上级手机号', aliases: ['superiorPhone', 'superior_phone', '上级电话', '上级联系电话', '上级责任人手机号'], width: 14, help: '上级责任人的手机号（逐级叫应：村→乡镇→县）。上级可以是本表中的另一行（顺序不限），也可以是已登记的责任人；空表示无上级。' },
  { key: 'superiorName', header: '上级姓名', aliases: ['superiorName', 'superior_name', '上级责任人'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'email', header: '电子邮箱', aliases: ['email', 'e-mail', '邮箱'], width: 22, help: '可选；有邮箱时预警也发送邮件。' },
  { key: 'username', header: '登录账号', aliases: ['username', 'account', '账号', '用户名'], width: 14, help: '可选：关联的登录账号（一键通手机页面），须为您管辖范围内的用户。' },
  { key: 'active', header: '在岗', aliases: ['active', '启用', '是否在岗', '状态'], width: 8, help: '是/否，默认是；不在岗者不接收预警，逐级叫应越过其到达上一级。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
];

export const ASSIGNMENT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', header: '编号', aliases: ['id', '包保编号'], width: 8, help: '系统编号。导入时为空表示新增；mode=upsert 时填写已有编号表示修改该包保对象。' },
  { key: 'personPhone', header: '责任人手机号', aliases: ['personPhone', 'person_phone', '包保人手机号', '包保责任人手机号', '责任人电话'], width: 14, help: '包保责任人的手机号（必填）：已登记的责任人，或同一文件“责任人”表中的一行。' },
  { key: 'personName', header: '责任人', aliases: ['personName', 'person_name', '包保人', '包保责任人'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'kind', header: '类别', aliases: ['kind', '包保对象类别', '对象类别', '类型'], width: 14, help: `${labels(ASSIGNMENT_KINDS)}（或英文键，如 household、vulnerable）（必填）。` },
  { key: 'category', header: '人员类别', aliases: ['category', '特殊人群类别', '重点人员类别'], width: 12, help: `仅“特殊人群”填写且必填：${labels(VULNERABLE_CATEGORIES)}。` },
  { key: 'name', header: '名称', aliases: ['name', '包保对象', '对象名称', '户主', '姓名'], width: 24, help: '场所名称、户主姓名、特殊人群姓名、隐患点名称或区域名称（必填）。' },
  { key: 'regionCode', header: '区划代码', aliases: ['regionCode', 'region_code', '行政区划代码', '所在区划代码'], width: 14, help: '所在县、乡镇或村/社区的 GB/T 2260 代码（必填）。' },
  { key: 'regionName', header: '区划名称', aliases: ['regionName', 'region_name'], width: 12, info: true, help: '仅供阅读，导入时忽略。' },
  { key: 'lon', header: '经度', aliases: ['lon', 'lng', 'longitude', 'x'], width: 12, help: 'WGS84 经度（可选，与纬度同时填写）。有坐标时按位置判断是否在预警多边形/圆形范围内；无坐标时按所在区划判断。' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude', 'y'], width: 12, help: 'WGS84 纬度（可选）。' },
  { key: 'people', header: '人数', aliases: ['people', '需转移人数', '转移人数', '人口', '户籍人数', '居住人数'], width: 8, help: '需转移的人数（整数，默认 0），汇总为预警的计划转移人数。' },
  { key: 'ref', header: '关联编号', aliases: ['ref', '隐患点编号', '监测点编号'], width: 16, help: '可选：隐患点/监测点编号等。类别为“隐患点/监测点”且填写安澜监测点编号、未填坐标时，取该监测点的位置。' },
  { key: 'active', header: '启用', aliases: ['active', '是否启用', '状态'], width: 8, help: '是/否，默认是；停用的包保对象不参与预警对象解析。' },
  { key: 'notes', header: '备注', aliases: ['notes', 'note', 'remarks'], width: 30, help: '备注。' },
];

export function columnsOf(kind: SheetKind): readonly ColumnSpec[] {
  return kind === 'persons' ? PERSON_COLUMNS : ASSIGNMENT_COLUMNS;
}

/** The columns that identify a sheet's kind when its name does not. */
export const REQUIRED: Record<SheetKind, string[]> = {
  persons: ['name', 'phone', 'roles', 'regionCode'],
  assignments: ['personPhone', 'kind', 'name', 'regionCode'],
};

/** Which column each header is (null: not one of ours). */
export function matchHeaders(kind: SheetKind, headers: string[]): (ColumnSpec | null)[] {
  const index = new Map<string, ColumnSpec>();
  for (const c of columnsOf(kind)) for (const h of [c.header, c.key, ...c.aliases]) index.set(headerKey(h), c);
  return headers.map((h) => {
    const k = headerKey(h);
    // "人数(人)", "经度(°)": a unit in brackets after the name.
    return index.get(k) ?? index.get(k.replace(/[(（].*[)）]$/, '')) ?? null;
  });
}

// ---- cells ----

/** "防汛责任人、网格员", "flood,grid": the roles of a person. */
export function roles(cell: Cell): RoleKey[] | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const parts = s.split(/[、，,;；/|\s]+/).map((p) => p.trim()).filter(Boolean);
  const keys: RoleKey[] = [];
  for (const p of parts) {
    const k = roleFromText(p);
    if (!k) throw new CellError(`unknown role "${p}"; roles are ${ROLES.map((r) => r.zh).join(', ')}`);
    if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

export function assignmentKind(cell: Cell): AssignmentKind | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const k = assignmentKindFromText(s);
  if (!k) throw new CellError(`unknown kind "${s}"; kinds are ${ASSIGNMENT_KINDS.map((x) => x.zh).join(', ')}`);
  return k;
}

export function category(cell: Cell): VulnerableCategory | null | undefined {
  const s = text(cell);
  if (s === undefined) return undefined;
  const k = categoryFromText(s);
  if (!k) throw new CellError(`unknown category "${s}"; categories are ${VULNERABLE_CATEGORIES.map((x) => x.zh).join(', ')}`);
  return k;
}

/** A phone cell: Excel turns 13900001234 into a number, which is fine; 1.39E+10 is not. */
export function phone(cell: Cell): string | undefined {
  if (typeof cell === 'number') {
    if (!Number.isSafeInteger(cell)) throw new CellError(`${cell} is not a phone number (format the column as text)`);
    return String(cell);
  }
  return text(cell);
}

export const rolesCell = (keys: readonly string[]): string => keys.map(roleLabel).join('、');
export const kindCell = (key: string): string => assignmentKindLabel(key);
export const categoryCell = (key: string | null): string | null => categoryLabel(key);
