// The risk HTTP API (/api/v1/risk/…) as the 企业与场所 screens use it: one place to adjust when
// the server's contract moves.
import { api } from '../api';
import type { Items, Page } from '../types';
import type { Computation, Enterprise, Gb18218Tables, Installation, NamedChemical, Place, RiskCatalogue, RiskMapData } from './types';

const BASE = '/risk';

let catalogue: Promise<RiskCatalogue> | null = null;
let tables: Promise<Gb18218Tables> | null = null;

/** The catalogue, fetched once per page load (again after a failure). */
export function loadRiskCatalogue(): Promise<RiskCatalogue> {
  catalogue ??= api.get<RiskCatalogue>(`${BASE}/catalogue`).catch((e: unknown) => {
    catalogue = null;
    throw e;
  });
  return catalogue;
}

/** The GB 18218-2018 tables (classes, α, grades, the transcription notes), fetched once. */
export function loadGb18218(): Promise<Gb18218Tables> {
  tables ??= api.get<Gb18218Tables>(`${BASE}/gb18218`).catch((e: unknown) => {
    tables = null;
    throw e;
  });
  return tables;
}

export interface EnterpriseQuery {
  regionCode?: string;
  industry?: string;
  department?: string;
  scale?: string;
  q?: string;
  major?: boolean;
  limit?: number;
  offset?: number;
}

export interface PlaceQuery {
  regionCode?: string;
  kind?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export type ChemicalBody = { name?: string | null; cas?: string | null; quantityTonnes: number; hazardClasses?: string[] | null; betaClass?: string | null };
export type InstallationBody = { name: string; kind: string; exposedPopulation: number; notes: string | null; chemicals: ChemicalBody[] };

export const riskApi = {
  enterprises: (q: EnterpriseQuery, signal?: AbortSignal) => api.get<Page<Enterprise>>(`${BASE}/enterprises`, { query: { ...q }, signal }),
  enterprise: (id: number) => api.get<Enterprise>(`${BASE}/enterprises/${id}`),
  createEnterprise: (body: Record<string, unknown>) => api.post<Enterprise>(`${BASE}/enterprises`, body),
  updateEnterprise: (id: number, body: Record<string, unknown>) => api.put<Enterprise>(`${BASE}/enterprises/${id}`, body),
  deleteEnterprise: (id: number, version: number, cascade = false) => api.del(`${BASE}/enterprises/${id}`, { query: { version, cascade: cascade || undefined } }),

  installations: (enterpriseId: number) => api.get<Items<Installation>>(`${BASE}/enterprises/${enterpriseId}/installations`),
  createInstallation: (enterpriseId: number, body: InstallationBody) => api.post<Installation>(`${BASE}/enterprises/${enterpriseId}/installations`, body),
  updateInstallation: (enterpriseId: number, id: number, body: InstallationBody & { version: number }) =>
    api.put<Installation>(`${BASE}/enterprises/${enterpriseId}/installations/${id}`, body),
  deleteInstallation: (enterpriseId: number, id: number, version: number) => api.del(`${BASE}/enterprises/${enterpriseId}/installations/${id}`, { query: { version } }),
  compute: (body: { exposedPopulation: number; chemicals: ChemicalBody[] }, signal?: AbortSignal) =>
    api.post<Computation>(`${BASE}/gb18218/compute`, body, { signal }),
  chemicals: (q: string, signal?: AbortSignal) => api.get<Items<NamedChemical>>(`${BASE}/chemicals`, { query: { q, limit: 20 }, signal }),

  places: (q: PlaceQuery, signal?: AbortSignal) => api.get<Page<Place>>(`${BASE}/places`, { query: { ...q }, signal }),
  place: (id: number) => api.get<Place>(`${BASE}/places/${id}`),
  createPlace: (body: Record<string, unknown>) => api.post<Place>(`${BASE}/places`, body),
  updatePlace: (id: number, body: Record<string, unknown>) => api.put<Place>(`${BASE}/places/${id}`, body),
  deletePlace: (id: number, version: number) => api.del(`${BASE}/places/${id}`, { query: { version } }),

  map: (q: { regionCode?: string; industry?: string; kind?: string }, signal?: AbortSignal) => api.get<RiskMapData>(`${BASE}/map`, { query: q, signal }),
};

/** Downloads the register as the server builds it (the import's layout). */
export function downloadExport(kind: 'enterprises' | 'places', format: 'xlsx' | 'csv', filter: Record<string, string | undefined>): void {
  const qs = new URLSearchParams({ kind });
  for (const [k, v] of Object.entries(filter)) if (v) qs.set(k, v);
  const a = document.createElement('a');
  a.href = `/api/v1${BASE}/export.${format}?${qs.toString()}`;
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
