// The call-response board's HTTP API (/api/v1/warnings/:id/recipients, /evacuation, the export
// and the stream) as the board page uses it, with the shapes the server documents.
import { api } from '../api';
import type { WarningLevel } from '../types';

export const RECIPIENT_STATUSES = ['queued', 'sent', 'delivered', 'answered', 'escalated', 'silent', 'failed'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export type StatusCounts = Record<RecipientStatus, number> & { total: number };

export interface WarningSummary {
  id: number;
  event: string;
  level: WarningLevel;
  stage: 'forecast' | 'short' | 'callresponse';
  msgType: string;
  state: string;
  headline: string;
  description: string;
  instruction: string;
  regionCode: string;
  issuedAt: string | null;
  expiresAt: string;
}

export interface Feedback {
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
  answeredAt: string;
}

export interface BoardRecipient {
  id: number;
  personId: number;
  name: string;
  phone: string;
  regionCode: string;
  regionName: string | null;
  townshipCode: string | null;
  townshipName: string | null;
  villageCode: string | null;
  villageName: string | null;
  reason: 'assignment' | 'region' | 'chain' | 'escalation' | 'thread';
  viaRecipientId: number | null;
  viaName: string | null;
  planned: number;
  status: RecipientStatus;
  deadlineAt: string | null;
  secondsLeft: number | null;
  sentAt: string | null;
  deliveredAt: string | null;
  answeredAt: string | null;
  escalatedAt: string | null;
  feedback: Feedback | null;
  photoAnswerId: number | null;
}

export interface CountGroup {
  code: string;
  name: string | null;
  counts: StatusCounts;
  villages: { code: string; name: string | null; counts: StatusCounts }[];
}

export interface RecipientsPage {
  warning: WarningSummary;
  at: string;
  items: BoardRecipient[];
  total: number;
  limit: number;
  offset: number;
  counts: StatusCounts;
  groups: CountGroup[];
}

export interface EvacuationFigures {
  recipients: number;
  reported: number;
  planned: number;
  moved: number;
  sheltered: number;
  atRisk: number;
  rate: number | null;
}

export interface EvacuationNode extends EvacuationFigures {
  code: string;
  name: string | null;
}

export interface EvacuationLedger {
  warning: WarningSummary;
  at: string;
  total: EvacuationFigures;
  counties: (EvacuationNode & { townships: (EvacuationNode & { villages: EvacuationNode[] })[] })[];
}

export interface RecipientChange {
  id: number;
  status?: RecipientStatus;
  answeredAt?: string;
  escalatedAt?: string;
  lastAnswer?: { kind: string; at: string };
}

export interface BoardSnapshot {
  warningId: number;
  at: string;
  counts: StatusCounts;
  groups: CountGroup[];
}

export interface BoardUpdate extends BoardSnapshot {
  changed: RecipientChange[];
  reload: boolean;
}

export interface RecipientQuery {
  status?: RecipientStatus;
  regionCode?: string;
  q?: string;
  sort?: 'region' | 'deadline';
  limit: number;
  offset: number;
}

export interface AnswerResult {
  result: 'recorded' | 'duplicate';
  recipientId: number;
  kind: 'received' | 'feedback';
  answeredAt: string | null;
}

const base = (id: number) => `/warnings/${id}`;

export const boardApi = {
  recipients: (id: number, q: RecipientQuery, signal?: AbortSignal) => api.get<RecipientsPage>(`${base(id)}/recipients`, { query: { ...q }, signal }),
  evacuation: (id: number) => api.get<EvacuationLedger>(`${base(id)}/evacuation`),
  answerFor: (id: number, recipientId: number, body: Record<string, unknown>) => api.post<AnswerResult>(`${base(id)}/recipients/${recipientId}/answer`, body),
  exportUrl: (id: number, q: Pick<RecipientQuery, 'status' | 'regionCode' | 'q'>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v) qs.set(k, String(v));
    const s = qs.toString();
    return `/api/v1${base(id)}/recipients/export${s ? `?${s}` : ''}`;
  },
  streamUrl: (id: number) => `/api/v1${base(id)}/board/stream`,
  photoUrl: (id: number, answerId: number) => `/api/v1${base(id)}/answers/${answerId}/photo`,
};
