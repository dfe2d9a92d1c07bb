/**
 * The SMS reply codes a responsible person may text back (短信回复指令). Village cadres reply from
 * any phone, in any input method, so the grammar forgives: full-width characters (１, ：, ，) are
 * read as their ASCII forms (NFKC), spaces and punctuation between parts are free, numbers may be
 * digits or Chinese numerals (十五, 两百零三), and a trailing 人/名/户 is ignored.
 *
 *   reply     := received | feedback [note]
 *   received  := 1 | 收到 | 已收到 | 收悉 | 确认 | 知道 | 知道了 | ok
 *   feedback  := [received] clause { clause }
 *   clause    := key number [人|名|户]
 *   key       := 2 | 转移 | 已转移                 → people moved (转移人数)
 *              | 3 | 安置 | 已安置                 → people sheltered (安置人数)
 *              | 4 | 危险 | 仍在危险区 | 未转移    → people still at risk (仍在危险区人数)
 *   note      := (备注 | 说明) any text
 *
 * A digit key needs a separator before its number ("2 15", "2:15", "2，15"), since "215" could be
 * read two ways; a word key does not ("转移15人"). Examples: "1", "收到", "2 15", "转移 15",
 * "转移十五人，安置12，危险3", "收到 转移15人 备注 张家老人已接走". Anything else is unparseable and
 * recorded as such, never guessed at.
 */

export type SmsReply =
  | { kind: 'received' }
  | { kind: 'feedback'; moved?: number; sheltered?: number; atRisk?: number; note?: string };

export type SmsParse = { ok: true; reply: SmsReply } | { ok: false; reason: string };

const RECEIVED = new Set(['1', '收到', '已收到', '收悉', '确认', '知道', '知道了', 'ok']);
const MAX_COUNT = 1_000_000;
const NOTE_MAX = 500;

type CountField = 'moved' | 'sheltered' | 'atRisk';

const WORD_KEYS: [string, CountField][] = [
  ['仍在危险区', 'atRisk'],
  ['已转移', 'moved'],
  ['已安置', 'sheltered'],
  ['未转移', 'atRisk'],
  ['转移', 'moved'],
  ['安置', 'sheltered'],
  ['危险', 'atRisk'],
];
const DIGIT_KEYS: Record<string, CountField> = { '2': 'moved', '3': 'sheltered', '4': 'atRisk' };

const SEPARATORS = /^[\s,;:、。!?.]+/;
const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10_000 };

/** Full-width to ASCII, lower case, Chinese punctuation as ASCII, outer space and punctuation gone. */
export function normaliseSmsText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[，]/g, ',')
    .replace(/[；]/g, ';')
    .replace(/[：]/g, ':')
    .replace(/[。！？]/g, '.')
    .replace(/^[\s,;:、.!?]+|[\s,;:、.!?]+$/g, '');
}

/** A Chinese numeral (十五, 一百零三, 两千) up to 99,999,999; null when it is not one. */
export function parseChineseNumber(s: string): number | null {
  if (!s || !/^[零〇一二两三四五六七八九十百千万]+$/.test(s)) return null;
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in CN_DIGITS) {
      digit = CN_DIGITS[ch];
      continue;
    }
    const unit = CN_UNITS[ch];
    if (unit === 10_000) {
      section += digit ?? 0;
      total += (section === 0 ? 1 : section) * unit;
      section = 0;
    } else {
      // 十五: a bare 十 means one ten.
      section += (digit ?? 1) * unit;
    }
    digit = null;
  }
  return total + section + (digit ?? 0);
}

/** The number at the start of s (digits or a Chinese numeral) and the text after it. */
function leadingNumber(s: string): { value: number; rest: string } | null {
  const digits = /^[0-9]+/.exec(s);
  if (digits) return { value: Number(digits[0]), rest: s.slice(digits[0].length) };
  const cn = /^[零〇一二两三四五六七八九十百千万]+/.exec(s);
  if (cn) {
    const value = parseChineseNumber(cn[0]);
    if (value !== null) return { value, rest: s.slice(cn[0].length) };
  }
  return null;
}

export function parseSmsReply(raw: string): SmsParse {
  let text = normaliseSmsText(raw);
  if (!text) return { ok: false, reason: 'empty message' };
  let note: string | undefined;
  const noteAt = text.search(/备注|说明/);
  if (noteAt >= 0) {
    note = text.slice(noteAt + 2).replace(SEPARATORS, '').trim().slice(0, NOTE_MAX) || undefined;
    text = text.slice(0, noteAt).replace(/[\s,;:、.!?]+$/, '');
  }
  if (RECEIVED.has(text) && note === undefined) return { ok: true, reply: { kind: 'received' } };

  const counts: Partial<Record<CountField, number>> = {};
  let rest = text;
  // "收到，转移15人": the acknowledgement before the feedback adds nothing the feedback does not say.
  for (const word of [...RECEIVED].sort((a, b) => b.length - a.length)) {
    if (word === '1' || word === 'ok') continue;
    if (rest.startsWith(word)) {
      rest = rest.slice(word.length);
      break;
    }
  }
  rest = rest.replace(SEPARATORS, '');
  if (/^1(?![0-9])/.test(rest) && rest.length > 1) rest = rest.slice(1).replace(SEPARATORS, '');
  while (rest) {
    let field: CountField | undefined;
    const word = WORD_KEYS.find(([w]) => rest.startsWith(w));
    if (word) {
      field = word[1];
      rest = rest.slice(word[0].length).replace(/^[\s:]+/, '');
    } else {
      const key = /^([234])[\s:,;、-]+/.exec(rest);
      if (!key) return { ok: false, reason: `cannot read "${rest.slice(0, 20)}": expected 2/转移, 3/安置 or 4/危险 and a number` };
      field = DIGIT_KEYS[key[1]];
      rest = rest.slice(key[0].length);
    }
    const n = leadingNumber(rest);
    if (!n) return { ok: false, reason: `a number must follow the ${field} code` };
    if (n.value > MAX_COUNT) return { ok: false, reason: `${n.value} is more than ${MAX_COUNT}` };
    if (counts[field] !== undefined) return { ok: false, reason: `${field} is given twice` };
    counts[field] = n.value;
    rest = n.rest.replace(/^\s*[人名户]/, '').replace(SEPARATORS, '');
  }
  if (Object.keys(counts).length === 0) {
    if (note !== undefined) return { ok: true, reply: { kind: 'feedback', note } };
    return { ok: false, reason: 'no reply code' };
  }
  return { ok: true, reply: { kind: 'feedback', ...counts, ...(note !== undefined ? { note } : {}) } };
}
