// The warnings HTTP API (/api/v1/warnings…) as the 预警发布 screens use it, with the shapes the
// server documents (apps/server/src/warning/core/routes.ts).
import { api, upload } from '../api';
import type { WarningLevel } from '../types';

export type WarningState = 'draft' | 'pending' | 'rejected' | 'issued' | 'superseded' | 'cancelled' | 'expired';
export const WARNING_STATES: readonly WarningState[] = ['draft', 'pending', 'rejected', 'issued', 'superseded', 'cancelled', 'expired'];
export type WarningStage = 'forecast' | 'short' | 'callresponse';
export const WARNING_STAGES: readonly WarningStage[] = ['forecast', 'short', 'callresponse'];
export type MsgType = 'Alert' | 'Update' | 'Cancel';
export type Step = 'promote' | 'update' | 'cancel';

export interface Circle {
  lon: number;
  lat: number;
  radiusKm: number;
}

/** An area as the API takes it: a GB/T 2260 region, a closed polygon of [lon, lat], or a circle. */
export type AreaInput = ({ regionCode: string } | { polygon: [number, number][] } | { circle: Circle }) & { label?: string };

export interface Translation {
  language: string;
  headline: string;
  description: string;
  instruction: string;
}

export interface DraftInput {
  event?: string;
  level?: WarningLevel;
  headline?: string;
  description?: string;
  instruction?: string;
  areas?: AreaInput[];
  expires?: string;
  onset?: string | null;
  stage?: WarningStage;
  status?: 'Actual' | 'Exercise';
  translations?: Translation[];
  sourceAlarmId?: number | null;
}

export interface WarningArea {
  ord: number;
  kind: 'region' | 'polygon' | 'circle';
  label: string;
  regionCode: string | null;
  regionName: string | null;
  polygon: [number, number][] | null;
  circle: Circle | null;
  withinCode: string | null;
  withinName: string | null;
  hasGeometry: boolean;
}

export interface Warning {
  id: number;
  threadId: number;
  previousId: number | null;
  identifier: string;
  sender: string;
  senderName: string | null;
  sent: string | null;
  msgType: MsgType;
  status: string;
  stage: WarningStage;
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  translations: Translation[];
  regionCode: string;
  regionName: string | null;
  state: WarningState;
  origin: 'local' | 'imported';
  sourceAlarmId: number | null;
  source: string | null;
  onset: string | null;
  expires: string;
  draftedBy: string;
  draftedById: number | null;
  submittedAt: string | null;
  approvedBy: string | null;
  approvedById: number | null;
  issuedAt: string | null;
  rejectNote: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  areaCount: number;
}

export interface WarningHistoryEvent {
  id: number;
  warningId: number;
  at: string;
  kind: 'drafted' | 'edited' | 'submitted' | 'approved' | 'rejected' | 'issued' | 'imported' | 'superseded' | 'cancelled' | 'expired';
  by: string;
  byId: number | null;
  note: string | null;
}

export interface SmsPreview {
  text: string;
  length: number;
  segments: number;
}

export interface Permissions {
  edit: boolean;
  submit: boolean;
  delete: boolean;
  approve: boolean;
  reject: boolean;
  promote: boolean;
  update: boolean;
  cancel: boolean;
  approveBlocked: 'author' | 'role' | null;
}

export interface WarningDetail extends Warning {
  eventName: string;
  eventNameEn: string;
  areas: WarningArea[];
  thread: Warning[];
  history: WarningHistoryEvent[];
  sms: SmsPreview;
  can: Permissions;
}

export interface Vocabulary {
  events: { key: string; zh: string; en: string; category: string; levels: WarningLevel[]; issuer: string }[];
  levels: { key: WarningLevel; zh: string; en: string; grade: string; gravity: string; severity: string }[];
  stages: { key: WarningStage; zh: string; en: string; hours: number; urgency: string; certainty: string }[];
}

export interface FieldError {
  field: string;
  message: string;
}

export interface PreviewResult {
  valid: boolean;
  errors: FieldError[];
  regionCode: string | null;
  regionName: string | null;
  sms: SmsPreview | null;
  cap: string | null;
  /** The areas as they would be stored: labels filled in, shapes placed in their region. */
  areas: { label: string; withinCode: string | null }[];
}

export interface AlarmDraft {
  input: DraftInput;
  alarm: { id: number; level: WarningLevel; message: string; pointName: string | null; regionCode: string; regionName: string | null; raisedAt: string };
  notes: string[];
}

export interface ImportResult {
  duplicate: boolean;
  remarks: FieldError[];
  warning: WarningDetail;
}

export interface WarningQuery {
  state?: string;
  event?: string;
  level?: WarningLevel;
  regionCode?: string;
  threadId?: number;
  q?: string;
  limit?: number;
  offset?: number;
}

const BASE = '/warnings';

let vocabulary: Promise<Vocabulary> | null = null;

export const warningApi = {
  /** The national vocabulary, fetched once per page load. */
  vocabulary(): Promise<Vocabulary> {
    vocabulary ??= api.get<Vocabulary>(`${BASE}/vocabulary`).catch((e: unknown) => {
      vocabulary = null;
      throw e;
    });
    return vocabulary;
  },
  list: (q: WarningQuery) => api.get<{ items: Warning[]; total: number }>(BASE, { query: { ...q } }),
  get: (id: number) => api.get<WarningDetail>(`${BASE}/${id}`),
  create: (input: DraftInput, submit: boolean) => api.post<WarningDetail>(BASE, { ...input, submit }),
  preview: (input: DraftInput & { msgType?: MsgType }, signal?: AbortSignal) => api.post<PreviewResult>(`${BASE}/preview`, input, { signal }),
  edit: (id: number, input: DraftInput & { version: number }) => api.put<WarningDetail>(`${BASE}/${id}`, input),
  remove: (id: number, version: number) => api.del(`${BASE}/${id}`, { query: { version } }),
  submit: (id: number, version: number) => api.post<WarningDetail>(`${BASE}/${id}/submit`, { version }),
  approve: (id: number, version: number) => api.post<WarningDetail>(`${BASE}/${id}/approve`, { version }),
  reject: (id: number, note: string, version: number) => api.post<WarningDetail>(`${BASE}/${id}/reject`, { note, version }),
  step: (id: number, step: Step, input: DraftInput & { submit?: boolean }) => api.post<WarningDetail>(`${BASE}/${id}/${step}`, input),
  cap: (id: number) => api.get<string>(`${BASE}/${id}/cap`),
  fromAlarm: (alarmId: number) => api.get<AlarmDraft>(`${BASE}/draft-from-alarm/${alarmId}`),
  importCap: (xml: Blob) => upload<ImportResult>(`${BASE}/cap`, xml, { contentType: 'application/cap+xml' }),
};
