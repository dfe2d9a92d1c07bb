/**
 * Answers by SMS reply (短信回复叫应): the delivery part's inbound-SMS route hands every reply here.
 * The sender is found by phone number, the text read by the reply grammar (sms-grammar.ts), and
 * the answer applied to the person's most recent open warning. A reply that fits nobody — an
 * unknown number, text that follows no code, no open warning — is recorded as unmatched for the
 * duty officer to follow up; nothing here throws on what a phone sent.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { EventBus } from '../../events/bus.ts';
import { AckPublisher } from './ack-events.ts';
import { withoutControlCharacters } from './answer-input.ts';
import type { AnswerOutcome } from './answer-writer.ts';
import type { WarningResponse } from './host.ts';
import { parseSmsReply } from './sms-grammar.ts';
import { insertUnmatched, openRecipientOf, personByPhone, smsAnswerOf } from './sms-store.ts';
import { existingRecipients, insertAnswers, type AnswerRow } from './store.ts';

export interface SmsReplyDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  /** The process's batched writer; without it (a bare app) the answer is written on its own. */
  warningResponse?: WarningResponse;
}

export interface InboundSms {
  /** The sender as the gateway gives it: 13800000000, +86 138 0000 0000, 008613800000000… */
  phone: string;
  text: string;
  /** The gateway's message id: the same reply delivered twice is applied once. */
  messageId: string;
  receivedAt: Date;
}

export type SmsReplyResult =
  | { matched: true; recipientId: number; warningId: number; kind: 'received' | 'feedback'; duplicate: boolean }
  | { matched: false; reason: 'unknown_phone' | 'unparseable' | 'no_open_warning'; detail: string };

const TEXT_MAX = 1000;

/** A mainland mobile number as its 11 digits (+86, 0086, spaces and dashes removed); else as sent. */
export function normalisePhone(raw: string): string {
  const digits = raw.normalize('NFKC').replace(/[^0-9]/g, '');
  const national = digits.replace(/^(0086|86)(?=1[3-9][0-9]{9}$)/, '');
  return /^1[3-9][0-9]{9}$/.test(national) ? national : raw.trim().slice(0, 40);
}

export async function answerBySms(deps: SmsReplyDeps, sms: InboundSms): Promise<SmsReplyResult> {
  const phone = normalisePhone(withoutControlCharacters(String(sms.phone ?? '')));
  const text = withoutControlCharacters(String(sms.text ?? '')).slice(0, TEXT_MAX);
  const messageId = withoutControlCharacters(String(sms.messageId ?? '')).slice(0, 200);
  const receivedAt = sms.receivedAt instanceof Date && !Number.isNaN(sms.receivedAt.getTime()) ? sms.receivedAt : deps.clock.now();
  const unmatched = async (reason: 'unknown_phone' | 'unparseable' | 'no_open_warning', detail: string, person: { id: number; regionCode: string } | null): Promise<SmsReplyResult> => {
    await insertUnmatched(deps.db, { messageId: messageId || `${phone}@${receivedAt.toISOString()}`, phone, text, reason, personId: person?.id ?? null, regionCode: person?.regionCode ?? null, receivedAt });
    return { matched: false, reason, detail };
  };

  const person = await personByPhone(deps.db, phone);
  if (!person) return unmatched('unknown_phone', `no responsible person has the number ${phone}`, null);
  const clientKey = `sms:${messageId || `${phone}:${receivedAt.getTime()}`}`;
  // A reply the gateway delivers again is the same answer, even if meanwhile another warning waits.
  const earlier = await smsAnswerOf(deps.db, person.id, clientKey);
  if (earlier) return { matched: true, ...earlier, duplicate: true };
  const parsed = parseSmsReply(text);
  if (!parsed.ok) return unmatched('unparseable', parsed.reason, person);
  const now = deps.clock.now();
  const target = await openRecipientOf(deps.db, person.id, now, parsed.reply.kind === 'received');
  if (!target) return unmatched('no_open_warning', 'the person has no issued, unexpired warning to answer', person);

  const reply = parsed.reply;
  const row: AnswerRow = {
    recipientId: target.id,
    kind: reply.kind,
    channel: 'sms',
    clientKey,
    moved: reply.kind === 'feedback' ? (reply.moved ?? null) : null,
    sheltered: reply.kind === 'feedback' ? (reply.sheltered ?? null) : null,
    atRisk: reply.kind === 'feedback' ? (reply.atRisk ?? null) : null,
    note: reply.kind === 'feedback' ? (reply.note ?? null) : null,
    photoPath: null,
    // A reply stamped later than now (a gateway's clock ahead) counts from now.
    answeredAt: receivedAt.getTime() > now.getTime() ? now : receivedAt,
  };
  const outcome = deps.warningResponse ? await deps.warningResponse.record(row) : await writeAlone(deps, row, now);
  if (outcome.state === 'no_recipient') return unmatched('no_open_warning', 'the warning was removed while the reply was applied', person);
  return { matched: true, recipientId: target.id, warningId: target.warningId, kind: reply.kind, duplicate: outcome.state === 'duplicate' };
}

async function writeAlone(deps: SmsReplyDeps, row: AnswerRow, now: Date): Promise<AnswerOutcome> {
  const stored = await deps.db.transaction((tx) => insertAnswers(tx, [row], now));
  if (stored.length > 0) {
    const publisher = new AckPublisher(deps.bus, deps.clock);
    publisher.answered(stored);
    await publisher.close();
    return { state: 'recorded', answer: stored[0] };
  }
  return (await existingRecipients(deps.db, [row.recipientId])).has(row.recipientId) ? { state: 'duplicate' } : { state: 'no_recipient' };
}
