/**
 * An answer as the API takes it (one-tap link, mobile page, staff on someone's behalf), checked
 * beyond its JSON schema, and the client key that makes a retried answer count once.
 */
import { createHash } from 'node:crypto';
import { ValidationError, type FieldError } from '@anlan/core';

export type AnswerKind = 'received' | 'feedback';
export type AnswerChannel = 'link' | 'mobile' | 'sms' | 'web';

export interface AnswerBody {
  kind: AnswerKind;
  moved?: number;
  sheltered?: number;
  atRisk?: number;
  note?: string;
  clientKey?: string;
  /** When the person answered, for answers queued offline on the phone; default: when it arrives. */
  answeredAt?: string;
}

/** What gets stored: counts and note only on feedback. */
export interface AnswerContent {
  kind: AnswerKind;
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
}

export const MAX_COUNT = 1_000_000;
export const NOTE_MAX = 500;
/** Client keys are chosen by the phone; derived keys carry a "kind:" prefix, which clients cannot send. */
export const CLIENT_KEY_PATTERN = '^[A-Za-z0-9_-]{8,64}$';
/** An answer queued offline may be stamped up to a week back; later than the server's clock is a clock error. */
const MAX_QUEUED_MS = 7 * 24 * 3600 * 1000;
const FUTURE_SKEW_MS = 5 * 60 * 1000;

const count = { type: 'integer', minimum: 0, maximum: MAX_COUNT } as const;

export const answerBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['received', 'feedback'], description: 'received (收到), or feedback on the evacuation' },
    moved: { ...count, description: '转移人数: people moved out of the danger zone so far' },
    sheltered: { ...count, description: '安置人数: people in a shelter' },
    atRisk: { ...count, description: '仍在危险区人数: people still in the danger zone' },
    note: { type: 'string', maxLength: NOTE_MAX },
    clientKey: { type: 'string', pattern: CLIENT_KEY_PATTERN, description: 'chosen by the client for this answer; sending it again stores nothing twice' },
    answeredAt: { type: 'string', format: 'date-time', description: 'when the person answered (an answer queued offline); default now' },
  },
  required: ['kind'],
} as const;

/** Control characters (NUL above all, which PostgreSQL text refuses) have no place in a note. */
export function withoutControlCharacters(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/** The content to store; `withPhoto`: a photo comes with it (then a photo alone is feedback enough). */
export function answerContent(body: AnswerBody, withPhoto = false): AnswerContent {
  const errors: FieldError[] = [];
  const cleaned = body.note === undefined ? '' : withoutControlCharacters(body.note).trim();
  const note = cleaned ? cleaned : null;
  if (body.kind === 'received') {
    if (withPhoto) errors.push({ field: 'kind', message: 'a photo comes with feedback, not with received' });
    for (const field of ['moved', 'sheltered', 'atRisk'] as const) {
      if (body[field] !== undefined) errors.push({ field, message: 'only feedback carries counts; send kind "feedback"' });
    }
  } else if (body.moved === undefined && body.sheltered === undefined && body.atRisk === undefined && note === null && !withPhoto) {
    errors.push({ field: 'kind', message: 'feedback needs at least one of moved, sheltered, atRisk, note or a photo' });
  }
  if (errors.length) throw new ValidationError(errors);
  return {
    kind: body.kind,
    moved: body.moved ?? null,
    sheltered: body.sheltered ?? null,
    atRisk: body.atRisk ?? null,
    note: body.kind === 'received' ? null : note,
  };
}

/** The time an answer counts from: the stamp of a queued answer when plausible, else now. */
export function answeredAtOf(body: Pick<AnswerBody, 'answeredAt'>, now: Date): Date {
  if (!body.answeredAt) return now;
  const t = new Date(body.answeredAt);
  if (Number.isNaN(t.getTime())) throw new ValidationError([{ field: 'answeredAt', message: 'must be an ISO 8601 date-time' }]);
  if (t.getTime() > now.getTime() + FUTURE_SKEW_MS) throw new ValidationError([{ field: 'answeredAt', message: 'is in the future (check the phone\'s clock)' }]);
  if (t.getTime() < now.getTime() - MAX_QUEUED_MS) throw new ValidationError([{ field: 'answeredAt', message: 'is more than 7 days ago' }]);
  return t.getTime() > now.getTime() ? now : t;
}

/**
 * The key that makes a retry count once: the client's own, or, for a link tapped twice, a digest
 * of what was tapped (the same token, kind and content is the same answer).
 */
export function clientKeyOf(body: AnswerBody, content: AnswerContent, derivedFrom: { channel: AnswerChannel; secret: string }): string {
  if (body.clientKey) return body.clientKey;
  const digest = createHash('sha256')
    .update(derivedFrom.secret)
    .update('\n')
    .update(JSON.stringify([content.kind, content.moved, content.sheltered, content.atRisk, content.note]))
    .digest('base64url')
    .slice(0, 32);
  return `${derivedFrom.channel}:${digest}`;
}
