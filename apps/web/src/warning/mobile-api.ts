// The mobile page's API: the one-tap link (/api/v1/acks/:token, no login) and the logged-in
// responder's own warnings (/api/v1/warning/my). Photos go as multipart/form-data.
import { api, upload } from '../api';
import type { WarningLevel } from '../types';

export interface MobileWarning {
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

export interface MobileFeedback {
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
  answeredAt: string;
}

export interface LinkView {
  recipient: { id: number; name: string; status: string; deadlineAt: string | null; answeredAt: string | null; planned: number; regionCode: string };
  warning: MobileWarning;
  lastFeedback: MobileFeedback | null;
}

export interface MyWarning {
  recipientId: number;
  status: string;
  reason: string;
  planned: number;
  deadlineAt: string | null;
  answeredAt: string | null;
  escalatedAt: string | null;
  open: boolean;
  warning: MobileWarning;
  lastFeedback: MobileFeedback | null;
}

export interface MyWarnings {
  person: { id: number; name: string; regionCode: string } | null;
  items: MyWarning[];
}

export interface AnswerBody {
  kind: 'received' | 'feedback';
  moved?: number;
  sheltered?: number;
  atRisk?: number;
  note?: string;
  clientKey: string;
  answeredAt: string;
}

export interface AnswerResult {
  result: 'recorded' | 'duplicate';
  recipientId: number;
  kind: 'received' | 'feedback';
  answeredAt: string | null;
}

/** Where an answer goes: a one-tap link's token, or the logged-in person's recipient row. */
export type AnswerTarget = { kind: 'link'; token: string } | { kind: 'mine'; recipientId: number };

const enc = encodeURIComponent;

export const mobileApi = {
  link: (token: string) => api.get<LinkView>(`/acks/${enc(token)}`, { allow401: true }),
  mine: () => api.get<MyWarnings>('/warning/my'),
  answer: (target: AnswerTarget, body: AnswerBody) =>
    target.kind === 'link'
      ? api.post<AnswerResult>(`/acks/${enc(target.token)}`, body, { allow401: true })
      : api.post<AnswerResult>(`/warning/my/${target.recipientId}/answer`, body),
  answerWithPhoto: (target: AnswerTarget, body: AnswerBody, photo: Blob) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(body)) if (k !== 'kind' && v !== undefined && v !== null && v !== '') form.set(k, String(v));
    form.set('photo', photo, 'photo.jpg');
    const path = target.kind === 'link' ? `/acks/${enc(target.token)}/photo` : `/warning/my/${target.recipientId}/photo`;
    return postForm<AnswerResult>(path, form);
  },
};

/**
 * A multipart POST through api.ts's upload (same CSRF header, errors and 401 policy): the browser
 * encodes the form, boundary and all, and the encoded bytes are sent as the body.
 */
async function postForm<T>(path: string, form: FormData): Promise<T> {
  const encoded = new Request(location.origin, { method: 'POST', body: form });
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return upload<T>(path, await encoded.blob(), { contentType });
}
