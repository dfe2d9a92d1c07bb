/**
 * The SMS of a warning: one short Chinese message that says who warns, of what, how bad, what to
 * do, and how to answer (叫应). Delivery sends exactly this text (with the recipient's one-tap
 * link), and the compose screen shows it with its length before anyone approves it.
 *
 * 【安澜预警】泸定县应急管理局发布暴雨橙色预警：预计今天傍晚到明天凌晨…请立即回复1确认收到。
 */
import { LEVEL_NAMES, type WarningLevel } from '@anlan/cap';
import type { WarningMsgType, WarningStage } from '../contracts.ts';
import { STAGE_NAMES, eventTypeOf } from './draft.ts';

export interface SmsWarning {
  msgType: WarningMsgType;
  status: string;
  stage: WarningStage;
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  /** Who issues it (泸定县应急管理局); the region's name + 应急管理局 when unknown. */
  senderName: string | null;
  regionName?: string | null;
}

/**
 * Longest text we send. A long SMS is split into 67-character parts (UCS-2, as Chinese always is)
 * that operators charge and deliver one by one; four parts still arrive as one message on every
 * handset we know of, and a warning that needs more should be read on the link.
 */
export const SMS_MAX_CHARS = 268;
const SINGLE_SMS_CHARS = 70;
const PART_CHARS = 67;

/** Characters as a handset counts them (code points; an emoji counts as one here, two on the wire). */
export function smsLength(text: string): number {
  return [...text].length;
}

/** How many SMS parts the text takes (UCS-2: 70 in one message, else 67 per part). */
export function smsSegments(text: string): number {
  const n = [...text].reduce((sum, ch) => sum + (ch.codePointAt(0)! > 0xffff ? 2 : 1), 0);
  return n <= SINGLE_SMS_CHARS ? 1 : Math.ceil(n / PART_CHARS);
}

function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  if (chars.length <= max) return chars.join('');
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Ends a sentence with a full stop unless it already ends with punctuation. */
const sentence = (s: string) => (s === '' || /[。！？!?…；;]$/.test(s) ? s : `${s}。`);

/**
 * The SMS text of a warning; `link` is the recipient's one-tap answer link, when there is one.
 * What it says first cannot be cut (who, what, level, how to answer); the description and the
 * instruction share what room is left, the description first.
 */
export function smsText(w: SmsWarning, link?: string): string {
  const type = eventTypeOf(w.event);
  const event = type?.zh ?? w.event;
  const level = LEVEL_NAMES[w.level]?.zh ?? '';
  const sender = w.senderName ?? (w.regionName ? `${w.regionName}应急管理局` : '应急管理部门');
  const tag = w.status === 'Exercise' ? '【安澜预警·演练】' : w.status === 'Actual' ? '【安澜预警】' : `【安澜预警·${w.status}】`;
  const stage = w.stage === 'callresponse' ? `（${STAGE_NAMES.callresponse.zh}）` : '';
  let lead: string;
  if (w.msgType === 'Cancel') lead = `${sender}解除${event}预警：`;
  else if (w.msgType === 'Update') lead = `${sender}更新${event}${level}预警${stage}：`;
  else lead = `${sender}发布${event}${level}预警${stage}：`;
  const answer = link ? `请点击 ${link} 或回复1确认收到。` : '请立即回复1确认收到。';
  const room = SMS_MAX_CHARS - smsLength(tag + lead + answer);
  // One character of each clip is kept for the full stop sentence() may add.
  const description = sentence(clip(w.description || w.headline, Math.max(20, room - 1)));
  const left = room - smsLength(description);
  const instruction = w.instruction && left >= 12 ? sentence(clip(w.instruction, left - 1)) : '';
  return `${tag}${lead}${description}${instruction}${answer}`;
}

/** The text with its length and parts, as the API shows it. */
export function smsPreview(w: SmsWarning, link?: string): { text: string; length: number; segments: number } {
  const text = smsText(w, link);
  return { text, length: smsLength(text), segments: smsSegments(text) };
}
