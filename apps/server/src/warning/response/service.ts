/**
 * Answering a warning (叫应): by the one-tap link (no login: the signed token names the
 * recipient), from the mobile page (一键通: the account's linked responsible person), or by staff
 * on someone's behalf (a phone call; audited). All three store through the batched writer or the
 * same statement, so a retried answer counts once whichever way it came.
 */
import { AppError, ForbiddenError, NotFoundError, RateLimitedError, type RegionScope } from '@anlan/core';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../caller.ts';
import { verifyAckToken } from '../ack-token.ts';
import { answerContent, answeredAtOf, clientKeyOf, type AnswerBody, type AnswerChannel } from './answer-input.ts';
import type { AnswerOutcome } from './answer-writer.ts';
import type { WarningResponse } from './host.ts';
import { savePhoto } from './photos.ts';
import * as store from './store.ts';

export interface AnswerResult {
  /** recorded: stored now; duplicate: this answer was stored before (a retry) and counts once. */
  result: 'recorded' | 'duplicate';
  recipientId: number;
  kind: 'received' | 'feedback';
  answeredAt: string | null;
}

export class GoneError extends AppError {
  constructor(detail: string, reason: string) {
    super(410, 'Gone', detail, [{ field: 'token', message: reason }]);
  }
}

/** The recipient a one-tap token names; a wrong or stale token counts against the caller's address. */
export async function recipientOfToken(wr: WarningResponse, token: string, ip: string): Promise<number> {
  const wait = wr.linkFailures.retryAfter(ip);
  if (wait > 0) throw new RateLimitedError(wait);
  const check = verifyAckToken(await wr.ackKey(), token, wr.deps.clock.now());
  if (check.ok) return check.recipientId;
  wr.linkFailures.recordFailure(ip);
  if (check.reason === 'expired') throw new GoneError('This answer link has expired; answer by SMS reply or on the mobile page, or call your duty officer', 'expired');
  const detail = check.reason === 'malformed' ? 'This is not an answer link (it was cut short or mistyped)' : 'This answer link is not valid: it was not issued by this system or was altered';
  throw new AppError(403, 'Forbidden', detail, [{ field: 'token', message: check.reason }]);
}

export async function viewByLink(wr: WarningResponse, token: string, ip: string): Promise<store.LinkView> {
  const recipientId = await recipientOfToken(wr, token, ip);
  const view = await store.linkView(wr.deps.db, recipientId);
  if (!view) throw new NotFoundError('The warning of this link');
  await markShown(wr, [recipientId]);
  return view;
}

interface Answering {
  recipientId: number;
  channel: AnswerChannel;
  body: AnswerBody;
  /** What a derived client key is made from (the token, the account), with the photo when there is one. */
  keySecret: string;
  photo?: Buffer;
  warningIdForPhoto?: number;
}

function resultOf(outcome: AnswerOutcome, recipientId: number, kind: 'received' | 'feedback'): AnswerResult {
  switch (outcome.state) {
    case 'recorded':
      return { result: 'recorded', recipientId, kind, answeredAt: outcome.answer.answeredAt.toISOString() };
    case 'duplicate':
      return { result: 'duplicate', recipientId, kind, answeredAt: null };
    case 'no_recipient':
      throw new NotFoundError('The recipient of this answer');
  }
}

async function answer(wr: WarningResponse, a: Answering): Promise<AnswerResult> {
  const content = answerContent(a.body, a.photo !== undefined);
  const answeredAt = answeredAtOf(a.body, wr.deps.clock.now());
  const limitKey = `r:${a.recipientId}`;
  const wait = wr.answerLimits.retryAfter(limitKey);
  if (wait > 0) throw new RateLimitedError(wait);
  let photoPath: string | null = null;
  if (a.photo) {
    const warningId = a.warningIdForPhoto ?? (await store.linkView(wr.deps.db, a.recipientId))?.warning.id;
    if (warningId === undefined) throw new NotFoundError('The recipient of this answer');
    photoPath = await savePhoto(wr.deps.filesDir, warningId, a.recipientId, a.photo);
  }
  const clientKey = clientKeyOf(a.body, content, { channel: a.channel, secret: `${a.keySecret}\n${photoPath ?? ''}` });
  const outcome = await wr.record({ recipientId: a.recipientId, channel: a.channel, clientKey, ...content, photoPath, answeredAt });
  if (outcome.state === 'recorded') wr.answerLimits.recordFailure(limitKey);
  return resultOf(outcome, a.recipientId, content.kind);
}

export async function answerByLink(wr: WarningResponse, token: string, ip: string, body: AnswerBody, photo?: Buffer): Promise<AnswerResult> {
  const recipientId = await recipientOfToken(wr, token, ip);
  return answer(wr, { recipientId, channel: 'link', body, keySecret: token, photo });
}

// ---- the mobile page (一键通) ----

export interface MyCaller {
  userId: number;
  scope: RegionScope;
}

export async function myWarnings(wr: WarningResponse, me: MyCaller, limit: number): Promise<{ person: store.LinkedPerson | null; items: store.MyWarning[] }> {
  const person = await store.personOfUser(wr.deps.db, me.scope, me.userId);
  if (!person) return { person: null, items: [] };
  const items = await store.myWarnings(wr.deps.db, me.scope, person.id, wr.deps.clock.now(), limit);
  await markShown(wr, items.map((i) => i.recipientId));
  return { person, items };
}

/** Seeing the warning is its in-app delivery; a failure to record that must not hide the warning. */
async function markShown(wr: WarningResponse, recipientIds: number[]): Promise<void> {
  if (!wr.shown || recipientIds.length === 0) return;
  try {
    await wr.shown(recipientIds);
  } catch (err) {
    wr.deps.log?.warn({ err }, 'recording in-app delivery failed');
  }
}

export async function answerAsMe(wr: WarningResponse, me: MyCaller, recipientId: number, body: AnswerBody, photo?: Buffer): Promise<AnswerResult> {
  const person = await store.personOfUser(wr.deps.db, me.scope, me.userId);
  if (!person) throw new ForbiddenError('Your account is not linked to a responsible person (责任人); ask your administrator to link it in the roster');
  if (!(await store.isRecipientOfPerson(wr.deps.db, me.scope, recipientId, person.id))) throw new NotFoundError('A warning addressed to you with this recipient id');
  return answer(wr, { recipientId, channel: 'mobile', body, keySecret: `user:${me.userId}:${recipientId}`, photo });
}

// ---- staff recording an answer they took by phone ----

export interface StaffCaller {
  actor: Actor;
  scope: RegionScope;
}

/**
 * An answer recorded by the duty officer for someone who answered by phone. Written directly (it is
 * rare) so that the audit entry is in the same transaction as the answer.
 */
export async function answerOnBehalf(wr: WarningResponse, who: StaffCaller, warningId: number, recipientId: number, body: AnswerBody): Promise<AnswerResult> {
  const recipient = await store.recipientInScope(wr.deps.db, who.scope, warningId, recipientId);
  if (!recipient) throw new NotFoundError(`Recipient ${recipientId} of warning ${warningId} in your region`);
  const content = answerContent(body, false);
  const now = wr.deps.clock.now();
  const answeredAt = answeredAtOf(body, now);
  const clientKey = clientKeyOf(body, content, { channel: 'web', secret: `staff:${who.actor.id ?? who.actor.name}:${recipientId}:${answeredAt.toISOString()}` });
  const stored = await wr.deps.db.transaction(async (tx) => {
    const rows = await store.insertAnswers(tx, [{ recipientId, channel: 'web', clientKey, ...content, photoPath: null, answeredAt }], now);
    if (rows.length > 0) {
      await appendAudit(tx, wr.deps.clock, who.actor, {
        action: 'warning.answer_recorded',
        targetType: 'warning_recipient',
        targetId: recipientId,
        regionCode: recipient.regionCode,
        after: { warningId, recipientId, name: recipient.name, onBehalf: true, ...content, answeredAt: answeredAt.toISOString(), answerId: rows[0].answerId },
      });
    }
    return rows;
  });
  if (stored.length > 0) wr.publisher.answered(stored);
  return stored.length > 0
    ? { result: 'recorded', recipientId, kind: content.kind, answeredAt: stored[0].answeredAt.toISOString() }
    : { result: 'duplicate', recipientId, kind: content.kind, answeredAt: null };
}
