// The monitoring HTTP API (/api/v1/monitoring/…) as the screens use it: one place to adjust
// when the server's contract moves.
import { api, ApiError } from '../api';
import { t } from '../i18n';
import type {
  Alarm,
  AlarmDetail,
  AlarmStateFilter,
  Items,
  LatestValue,
  MonitoringCatalogue,
  MonitoringPoint,
  MonitoringRule,
  MonitoringRuleVersion,
  MonitoringStatus,
  OverviewPoint,
  Page,
  QuarantineItem,
  ReadingResolution,
  RulePage,
  RuleValidation,
  Sensor,
  SensorReadings,
  WarningLevel,
} from '../types';

const BASE = '/monitoring';

let catalogue: Promise<MonitoringCatalogue> | null = null;

/** The type catalogue, fetched once per page load. */
export function loadCatalogue(): Promise<MonitoringCatalogue> {
  catalogue ??= api.get<MonitoringCatalogue>(`${BASE}/types`).catch((e: unknown) => {
    catalogue = null;
    throw e;
  });
  return catalogue;
}

export const monitoringApi = {
  overview: (q: { type?: string; regionCode?: string }, signal?: AbortSignal) =>
    api.get<Items<OverviewPoint>>(`${BASE}/overview`, { query: q, signal }),
  status: (q: { regionCode?: string } = {}) => api.get<MonitoringStatus>(`${BASE}/status`, { query: q }),
  point: (id: number) => api.get<MonitoringPoint>(`${BASE}/points/${id}`),
  points: (q: { type?: string; regionCode?: string; q?: string; limit?: number; offset?: number }) => api.get<Page<MonitoringPoint>>(`${BASE}/points`, { query: q }),
  sensors: (q: { pointId?: number; type?: string; regionCode?: string; q?: string; limit?: number; offset?: number }) =>
    api.get<Page<Sensor>>(`${BASE}/sensors`, { query: q }),
  latest: (pointId: number) => api.get<{ pointId: number; items: LatestValue[] }>(`${BASE}/latest`, { query: { pointId } }),
  readings: (code: string, q: { from: string; to: string; resolution: ReadingResolution }, signal?: AbortSignal) =>
    api.get<SensorReadings>(`${BASE}/sensors/${encodeURIComponent(code)}/readings`, { query: q, signal }),
  quarantine: (q: { limit: number; before?: number }) => api.get<Items<QuarantineItem>>(`${BASE}/quarantine`, { query: q }),

  alarms: (q: { state?: AlarmStateFilter; level?: WarningLevel; regionCode?: string; pointId?: number; sensor?: string; limit?: number; before?: number }) =>
    api.get<Items<Alarm>>(`${BASE}/alarms`, { query: q }),
  alarm: (id: number) => api.get<AlarmDetail>(`${BASE}/alarms/${id}`),
  acknowledge: (id: number, note?: string) => api.post<Alarm>(`${BASE}/alarms/${id}/ack`, note ? { note } : {}),
  handle: (id: number, note: string) => api.post<Alarm>(`${BASE}/alarms/${id}/handle`, { note }),
  clear: (id: number, note?: string) => api.post<Alarm>(`${BASE}/alarms/${id}/clear`, note ? { note } : {}),

  rules: (q: { kind?: string; q?: string; enabled?: boolean; regionCode?: string; limit?: number; offset?: number } = {}) =>
    api.get<RulePage>(`${BASE}/rules`, { query: q }),
  rule: (id: string | number) => api.get<MonitoringRule>(`${BASE}/rules/${encodeURIComponent(String(id))}`),
  createRule: (definition: Record<string, unknown>) => api.post<MonitoringRule>(`${BASE}/rules`, definition),
  updateRule: (id: string | number, body: Record<string, unknown>) => api.put<MonitoringRule>(`${BASE}/rules/${encodeURIComponent(String(id))}`, body),
  deleteRule: (id: string | number, version?: number) =>
    api.del(`${BASE}/rules/${encodeURIComponent(String(id))}`, { query: version ? { version } : undefined }),
  ruleVersions: (id: string | number) => api.get<Items<MonitoringRuleVersion>>(`${BASE}/rules/${encodeURIComponent(String(id))}/versions`),
  validateRule: (definition: Record<string, unknown>) => api.post<RuleValidation>(`${BASE}/rules/validate`, definition),
};

/** A readable message for a failed request; 404 of a whole endpoint says the server lacks it. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (isMissingEndpoint(e)) return t('monitoring.common.missingEndpoint', { detail: e.detail });
    if (e.status === 0) return t('common.networkError');
    if (e.status === 403) return t('common.forbidden');
    return e.detail || e.title || `HTTP ${e.status}`;
  }
  return String((e as Error)?.message ?? e);
}

/** True when the server answered 404 for the route itself (not for a record): an older server. */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && /^No route /.test(e.detail);
}
