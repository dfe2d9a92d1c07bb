/** JSON schemas of the call-response routes (responses are serialised by them: list every field). */
import { RECIPIENT_STATUSES } from './board-store.ts';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const int = { type: 'integer' } as const;

export const warningSummarySchema = {
  type: 'object',
  properties: {
    id: int,
    event: { type: 'string', description: 'event key of the national warning vocabulary, e.g. rainstorm' },
    level: { type: 'string', enum: ['blue', 'yellow', 'orange', 'red'] },
    stage: { type: 'string', enum: ['forecast', 'short', 'callresponse'] },
    msgType: str,
    state: str,
    headline: str,
    description: str,
    instruction: str,
    regionCode: str,
    issuedAt: nullableTime,
    expiresAt: time,
  },
} as const;

export const feedbackSchema = {
  type: ['object', 'null'],
  description: 'the latest reported value of each count (a later report of one count keeps the others)',
  properties: { moved: nullableInt, sheltered: nullableInt, atRisk: nullableInt, note: nullableStr, answeredAt: time },
} as const;

export const answerResultSchema = {
  type: 'object',
  properties: {
    result: { type: 'string', enum: ['recorded', 'duplicate'], description: 'duplicate: the same answer was stored before and counts once' },
    recipientId: int,
    kind: { type: 'string', enum: ['received', 'feedback'] },
    answeredAt: nullableTime,
  },
} as const;

export const linkViewSchema = {
  type: 'object',
  properties: {
    recipient: {
      type: 'object',
      properties: { id: int, name: str, status: str, deadlineAt: nullableTime, answeredAt: nullableTime, planned: int, regionCode: str },
    },
    warning: warningSummarySchema,
    lastFeedback: feedbackSchema,
  },
} as const;

export const myWarningsSchema = {
  type: 'object',
  properties: {
    person: { type: ['object', 'null'], description: 'the responsible person linked to the account; null when none is', properties: { id: int, name: str, regionCode: str } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          recipientId: int,
          status: { type: 'string', enum: [...RECIPIENT_STATUSES] },
          reason: str,
          planned: int,
          deadlineAt: nullableTime,
          answeredAt: nullableTime,
          escalatedAt: nullableTime,
          open: { type: 'boolean', description: 'the warning is issued and unexpired: an answer is asked for' },
          warning: warningSummarySchema,
          lastFeedback: feedbackSchema,
        },
      },
    },
  },
} as const;

const statusCountsSchema = {
  type: 'object',
  properties: Object.fromEntries([['total', int], ...RECIPIENT_STATUSES.map((s) => [s, int])]),
} as const;

export const countGroupsSchema = {
  type: 'array',
  description: 'per township (county-level recipients under their county code), with its villages',
  items: {
    type: 'object',
    properties: {
      code: str,
      name: nullableStr,
      counts: statusCountsSchema,
      villages: { type: 'array', items: { type: 'object', properties: { code: str, name: nullableStr, counts: statusCountsSchema } } },
    },
  },
} as const;

export const boardRecipientSchema = {
  type: 'object',
  properties: {
    id: int,
    personId: int,
    name: str,
    phone: str,
    regionCode: str,
    regionName: nullableStr,
    townshipCode: nullableStr,
    townshipName: nullableStr,
    villageCode: nullableStr,
    villageName: nullableStr,
    reason: { type: 'string', enum: ['assignment', 'region', 'chain', 'escalation', 'thread'] },
    viaRecipientId: nullableInt,
    viaName: nullableStr,
    planned: int,
    status: { type: 'string', enum: [...RECIPIENT_STATUSES] },
    deadlineAt: nullableTime,
    secondsLeft: { type: ['integer', 'null'], description: 'to the deadline, while an answer is awaited (negative: overdue, escalation pending)' },
    sentAt: nullableTime,
    deliveredAt: nullableTime,
    answeredAt: nullableTime,
    escalatedAt: nullableTime,
    feedback: feedbackSchema,
    photoAnswerId: { type: ['integer', 'null'], description: 'the latest answer with a photo: GET /api/v1/warnings/{id}/answers/{photoAnswerId}/photo' },
  },
} as const;

export const recipientsPageSchema = {
  type: 'object',
  properties: {
    warning: warningSummarySchema,
    at: time,
    items: { type: 'array', items: boardRecipientSchema },
    total: int,
    limit: int,
    offset: int,
    counts: statusCountsSchema,
    groups: countGroupsSchema,
  },
} as const;

const figures = { recipients: int, reported: int, planned: int, moved: int, sheltered: int, atRisk: int, rate: { type: ['number', 'null'], description: '转移到位率 = moved / planned' } } as const;
const node = { code: str, name: nullableStr, ...figures } as const;

export const evacuationSchema = {
  type: 'object',
  properties: {
    warning: warningSummarySchema,
    at: time,
    total: { type: 'object', properties: figures },
    counties: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...node,
          townships: {
            type: 'array',
            items: { type: 'object', properties: { ...node, villages: { type: 'array', items: { type: 'object', properties: node } } } },
          },
        },
      },
    },
  },
} as const;

export const unmatchedSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: int, messageId: str, phone: str, text: str, reason: { type: 'string', enum: ['unknown_phone', 'unparseable', 'no_open_warning'] }, personId: nullableInt, regionCode: nullableStr, receivedAt: time },
      },
    },
  },
} as const;

export const tokenParam = {
  type: 'object',
  properties: { token: { type: 'string', minLength: 1, maxLength: 200, description: 'the token of the one-tap link (<recipientId>.<expires>.<mac>)' } },
  required: ['token'],
} as const;

export const recipientIdParam = {
  type: 'object',
  properties: { recipientId: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
  required: ['recipientId'],
} as const;
