/**
 * The board as a spreadsheet (叫应名单 and 转移台账): the recipient list with each one's status and
 * latest feedback, and the evacuation ledger by county, township and village — what a county
 * bureau files after a call-response.
 */
import type { RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { buildXlsx, NUM_FMT, type XlsxSheetSpec } from '../../http/xlsx.ts';
import { evacuationByRegion, exportRows, regionNames, type RecipientFilter, type RecipientStatus } from './board-store.ts';
import { codesToName, rollUpEvacuation, type EvacuationFigures } from './rollup.ts';
import type { WarningSummary } from './store.ts';

/** A county-wide call-response reaches up to about a hundred thousand people. */
export const EXPORT_MAX_ROWS = 200_000;

const STATUS_ZH: Record<RecipientStatus, string> = {
  queued: '待发送',
  sent: '已发送',
  delivered: '已送达',
  answered: '已应答',
  escalated: '已升级',
  silent: '无应答',
  failed: '发送失败',
};

const REASON_ZH: Record<string, string> = {
  assignment: '包保对象在预警区内',
  region: '所在区域在预警区内',
  chain: '上级责任人',
  escalation: '逐级升级',
  thread: '同一预警过程',
};

const LEVEL_ZH: Record<string, string> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };

/** Excel shows wall-clock time without a zone; Anlan shows Asia/Shanghai (UTC+8, no DST). */
const shanghai = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3600 * 1000) : null);

export async function exportBoard(db: Queryable, scope: RegionScope, warning: WarningSummary, filter: Omit<RecipientFilter, 'limit' | 'offset' | 'sort'>, now: Date): Promise<Buffer> {
  const rows = await exportRows(db, scope, warning.id, filter, EXPORT_MAX_ROWS);
  const evacuation = await evacuationByRegion(db, scope, warning.id, filter.regionCode);
  const names = await regionNames(db, codesToName([...rows.map((r) => r.regionCode), ...evacuation.map((r) => r.regionCode)]));
  const ledger = rollUpEvacuation(evacuation, names);
  const township = (code: string) => (code.length >= 9 ? (names.get(code.slice(0, 9)) ?? code.slice(0, 9)) : (names.get(code) ?? code));
  const village = (code: string) => (code.length === 12 ? (names.get(code) ?? code) : '');

  const list: XlsxSheetSpec = {
    name: '叫应名单',
    autoFilter: true,
    columns: [
      { header: '乡镇（街道）', key: 'township', width: 16 },
      { header: '村（社区）', key: 'village', width: 16 },
      { header: '行政区划代码', key: 'regionCode', width: 14 },
      { header: '姓名', key: 'name', width: 10 },
      { header: '手机号', key: 'phone', width: 14 },
      { header: '纳入原因', key: 'reason', width: 18 },
      { header: '升级自', key: 'via', width: 10 },
      { header: '状态', key: 'status', width: 10 },
      { header: '应答时限', key: 'deadlineAt', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '发送时间', key: 'sentAt', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '应答时间', key: 'answeredAt', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '升级时间', key: 'escalatedAt', width: 18, numFmt: 'yyyy-mm-dd hh:mm' },
      { header: '应转移人数', key: 'planned', width: 10, numFmt: NUM_FMT.integer },
      { header: '已转移', key: 'moved', width: 9, numFmt: NUM_FMT.integer },
      { header: '已安置', key: 'sheltered', width: 9, numFmt: NUM_FMT.integer },
      { header: '仍在危险区', key: 'atRisk', width: 10, numFmt: NUM_FMT.integer },
      { header: '反馈备注', key: 'note', width: 30 },
    ],
    rows: rows.map((r) => ({
      township: township(r.regionCode),
      village: village(r.regionCode),
      regionCode: r.regionCode,
      name: r.name,
      phone: r.phone,
      reason: REASON_ZH[r.reason] ?? r.reason,
      via: r.viaName,
      status: STATUS_ZH[r.status] ?? r.status,
      deadlineAt: shanghai(r.deadlineAt),
      sentAt: shanghai(r.sentAt),
      answeredAt: shanghai(r.answeredAt),
      escalatedAt: shanghai(r.escalatedAt),
      planned: r.planned,
      moved: r.moved,
      sheltered: r.sheltered,
      atRisk: r.atRisk,
      note: r.note,
    })),
    notes: [
      `预警：${warning.headline}（${LEVEL_ZH[warning.level] ?? warning.level}，编号 ${warning.id}）`,
      `导出时间：${formatShanghai(now)}（北京时间）；共 ${rows.length} 人${rows.length === EXPORT_MAX_ROWS ? `（仅导出前 ${EXPORT_MAX_ROWS} 人，请按乡镇筛选后分别导出）` : ''}`,
      '已转移、已安置、仍在危险区为各责任人最近一次反馈的人数。',
    ],
  };

  const ledgerRows: Record<string, string | number | null>[] = [];
  const figures = (f: EvacuationFigures) => ({ recipients: f.recipients, reported: f.reported, planned: f.planned, moved: f.moved, sheltered: f.sheltered, atRisk: f.atRisk, rate: f.rate });
  for (const c of ledger.counties) {
    ledgerRows.push({ level: '县（市、区）', name: c.name ?? c.code, code: c.code, ...figures(c) });
    for (const t of c.townships) {
      ledgerRows.push({ level: t.code.length === 9 ? '乡镇（街道）' : '县级', name: t.name ?? t.code, code: t.code, ...figures(t) });
      for (const v of t.villages) ledgerRows.push({ level: '村（社区）', name: v.name ?? v.code, code: v.code, ...figures(v) });
    }
  }
  ledgerRows.push({ level: '合计', name: '', code: '', ...figures(ledger.total) });
  const evacuationSheet: XlsxSheetSpec = {
    name: '转移台账',
    columns: [
      { header: '层级', key: 'level', width: 12 },
      { header: '名称', key: 'name', width: 18 },
      { header: '代码', key: 'code', width: 14 },
      { header: '责任人数', key: 'recipients', width: 9, numFmt: NUM_FMT.integer },
      { header: '已反馈', key: 'reported', width: 9, numFmt: NUM_FMT.integer },
      { header: '应转移', key: 'planned', width: 9, numFmt: NUM_FMT.integer },
      { header: '已转移', key: 'moved', width: 9, numFmt: NUM_FMT.integer },
      { header: '已安置', key: 'sheltered', width: 9, numFmt: NUM_FMT.integer },
      { header: '仍在危险区', key: 'atRisk', width: 10, numFmt: NUM_FMT.integer },
      { header: '转移到位率', key: 'rate', width: 11, numFmt: '0.0%' },
    ],
    rows: ledgerRows,
    notes: ['转移到位率 = 已转移人数 ÷ 应转移人数（应转移为各责任人包保对象中需转移的人数之和）。'],
  };
  return buildXlsx({ sheets: [list, evacuationSheet], title: `叫应看板 ${warning.headline}`, created: now });
}

function formatShanghai(d: Date): string {
  return shanghai(d)!.toISOString().slice(0, 16).replace('T', ' ');
}
