/**
 * What each channel says about a warning. Texts that carry the recipient's one-tap link are
 * rendered once per warning around a marker and split into the part before and after the link,
 * so that the outbox can be written by one INSERT … SELECT that splices each recipient's token
 * in (see enqueue.ts); nothing here runs per recipient.
 */
import { LEVEL_NAMES, findEventType } from '@anlan/cap';
import type { IssuedWarning } from '../contracts.ts';
import { smsText } from '../core/sms.ts';

/** The longest token of a recipient id up to 10 digits: `<id>.<expiry>.<16-char mac>`. */
const TOKEN_BUDGET = 10 + 1 + 10 + 1 + 16;

// Printable, so that JSON.stringify leaves it as it is (the push payload is JSON).
const LINK_MARK = '⟦LINK⟧';

/** A text around the place the recipient's link goes. */
export interface LinkTemplate {
  before: string;
  after: string;
}

function split(rendered: string): LinkTemplate {
  const parts = rendered.split(LINK_MARK);
  if (parts.length !== 2) throw new Error('a message template must hold the link exactly once');
  return { before: parts[0], after: parts[1] };
}

export function oneTapPath(token: string): string {
  return `/a/${token}`;
}

function clip(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Trailing sentence punctuation off, so that joining adds exactly one 。. */
function sentence(s: string): string {
  return s.trim().replace(/[。．.！!；;，,\s]+$/u, '');
}

function eventName(event: string): string {
  return findEventType(event)?.zh ?? event;
}

type WarningText = Pick<IssuedWarning, 'event' | 'level' | 'stage' | 'msgType' | 'headline' | 'instruction'>;

/** 暴雨红色预警, with what this message is: an update, the cancellation, or the 叫应 step. */
export function warningLabel(w: Pick<IssuedWarning, 'event' | 'level'>): string {
  return `${eventName(w.event)}${LEVEL_NAMES[w.level].zh}预警`;
}

export function warningTag(w: Pick<IssuedWarning, 'event' | 'level' | 'stage' | 'msgType'>): string {
  const what = w.msgType === 'Cancel' ? '解除' : w.msgType === 'Update' ? '更新' : w.stage === 'callresponse' ? '叫应' : '';
  return `【${warningLabel(w)}${what ? `·${what}` : ''}】`;
}

/** What the SMS needs beyond IssuedWarning (columns of core's migration 010 and the region's name). */
export interface SmsExtras {
  status: string;
  senderName: string | null;
  regionName: string | null;
}

/**
 * The SMS is core's smsText() (the same text the compose screen previews), given a stand-in link
 * as long as the longest real one so that its length budget holds for every recipient.
 */
export function smsTemplate(w: IssuedWarning & SmsExtras, linkBase: string): LinkTemplate {
  const stand = `\u0001${'L'.repeat(TOKEN_BUDGET - 2)}\u0001`;
  const text = smsText(w, `${linkBase}${stand}`);
  const parts = text.split(stand);
  if (parts.length !== 2) throw new Error('the SMS text must hold the link exactly once');
  return { before: parts[0], after: parts[1] };
}

const shanghai = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

function beijingTime(d: Date): string {
  return `${shanghai.format(d)}（北京时间）`;
}

/** The e-mail: the whole warning, since mail has room for the description. */
export function emailTemplate(w: IssuedWarning, linkBase: string): { subject: string; body: LinkTemplate } {
  const level = LEVEL_NAMES[w.level];
  const lines = [
    sentence(w.headline) + '。',
    '',
    w.description.trim(),
    '',
    ...(w.instruction.trim() ? [`防御指南：${w.instruction.trim()}`, ''] : []),
    `请确认收到：${linkBase}${LINK_MARK}`,
    `（也可以回复短信“1”确认收到。）`,
    '',
    `预警级别：${level.zh}（${level.grade}，${level.gravity}）`,
    `发布时间：${beijingTime(w.issuedAt)}`,
    `有效期至：${beijingTime(w.expiresAt)}`,
    `预警编号：${w.identifier}`,
    '',
    '—— 安澜应急管理平台（本邮件由系统发送）',
  ];
  return { subject: `${warningTag(w)}${sentence(w.headline)}`, body: split(lines.join('\n')) };
}

/** The Web Push payload (JSON the mobile page's service worker shows as a notification). */
export function pushTemplate(w: IssuedWarning, linkBase: string): LinkTemplate {
  const payload = {
    type: 'warning',
    warningId: w.id,
    threadId: w.threadId,
    msgType: w.msgType,
    level: w.level,
    title: warningTag(w).replace(/[【】]/g, ''),
    body: clip([sentence(w.headline), sentence(w.instruction)].filter(Boolean).join('。'), 200),
    // One notification per thread on the device: an Update replaces the Alert it follows.
    tag: `anlan-warning-${w.threadId}`,
    url: `${linkBase}${LINK_MARK}`,
  };
  return split(JSON.stringify(payload));
}

/** What the mobile page lists; the link is not needed there, the page knows who is logged in. */
export function inappText(w: WarningText): string {
  return `${warningTag(w)}${[sentence(w.headline), sentence(w.instruction)].filter(Boolean).map((s) => `${s}。`).join('')}`;
}

/** The webhook's JSON: the warning and where to fetch its CAP XML. */
export function webhookBody(w: IssuedWarning, publicUrl: string): string {
  return JSON.stringify({
    type: w.msgType === 'Cancel' ? 'warning.cancelled' : w.msgType === 'Update' ? 'warning.updated' : 'warning.issued',
    warning: {
      id: w.id,
      threadId: w.threadId,
      previousId: w.previousId,
      identifier: w.identifier,
      msgType: w.msgType,
      stage: w.stage,
      event: w.event,
      eventName: eventName(w.event),
      level: w.level,
      headline: w.headline,
      description: w.description,
      instruction: w.instruction,
      regionCode: w.regionCode,
      issuedAt: w.issuedAt.toISOString(),
      expiresAt: w.expiresAt.toISOString(),
    },
    // Fetched with an API token of the receiving system (GET needs authentication).
    capUrl: `${publicUrl}/api/v1/warnings/${w.id}/cap`,
  });
}
