// The roster's HTTP API (/api/v1/warning/persons, …/assignments, …/roster/*) as the 责任人名册
// screens use it, with its types: one place to adjust when the server's contract moves.
import { api } from '../api';

export const ROLE_KEYS = ['flood', 'guardian', 'grid', 'informant', 'cadre', 'township', 'county', 'other'] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];
export const KIND_KEYS = ['place', 'household', 'vulnerable', 'point', 'region'] as const;
export type AssignmentKind = (typeof KIND_KEYS)[number];
export const CATEGORY_KEYS = ['elderly_alone', 'left_behind_child', 'disabled', 'ill', 'pregnant', 'other'] as const;
export type VulnerableCategory = (typeof CATEGORY_KEYS)[number];

export interface RosterPerson {
  id: number;
  name: string;
  phone: string;
  email: string | null;
  roles: RoleKey[];
  regionCode: string;
  regionName: string | null;
  superiorId: number | null;
  superiorName: string | null;
  userId: number | null;
  username: string | null;
  active: boolean;
  notes: string | null;
  assignmentCount: number;
  people: number;
  subordinateCount: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export interface RosterAssignment {
  id: number;
  personId: number;
  personName: string;
  personPhone: string;
  kind: AssignmentKind;
  category: VulnerableCategory | null;
  name: string;
  regionCode: string;
  regionName: string | null;
  lon: number | null;
  lat: number | null;
  people: number;
  ref: string | null;
  active: boolean;
  notes: string | null;
  updatedAt: string;
  version: number;
}

export interface ChainLink {
  level: number;
  id: number;
  name: string;
  roles: RoleKey[];
  regionCode: string;
  regionName: string | null;
  active: boolean;
  phone: string | null;
  inScope: boolean;
}

export interface RosterPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface RosterImportReport {
  format: 'xlsx' | 'csv';
  mode: 'insert' | 'upsert';
  dryRun: boolean;
  sheets: { kind: 'persons' | 'assignments'; sheet: string; rows: number; inserted: number; updated: number; unchanged: number; rejected: number; ignoredColumns: string[] }[];
  ignoredSheets: string[];
  errors: { sheet: string; row: number; field: string; column?: string; message: string }[];
  errorCount: number;
}

export type PersonBody = Partial<Pick<RosterPerson, 'name' | 'phone' | 'email' | 'roles' | 'regionCode' | 'superiorId' | 'userId' | 'active' | 'notes'>>;
export type AssignmentBody = Partial<Pick<RosterAssignment, 'kind' | 'category' | 'name' | 'regionCode' | 'lon' | 'lat' | 'people' | 'ref' | 'active' | 'notes'>>;

const BASE = '/warning';

export const rosterApi = {
  persons: (q: { regionCode?: string; role?: string; q?: string; active?: boolean; limit?: number; offset?: number }, signal?: AbortSignal) =>
    api.get<RosterPage<RosterPerson>>(`${BASE}/persons`, { query: q, signal }),
  person: (id: number) => api.get<RosterPerson>(`${BASE}/persons/${id}`),
  createPerson: (body: PersonBody) => api.post<RosterPerson>(`${BASE}/persons`, body),
  updatePerson: (id: number, body: PersonBody & { version: number }) => api.put<RosterPerson>(`${BASE}/persons/${id}`, body),
  deletePerson: (id: number, version: number) => api.del(`${BASE}/persons/${id}`, { query: { version } }),
  chain: (id: number) => api.get<{ items: ChainLink[] }>(`${BASE}/persons/${id}/chain`),
  assignments: (personId: number) => api.get<RosterPage<RosterAssignment>>(`${BASE}/persons/${personId}/assignments`, { query: { limit: 1000 } }),
  createAssignment: (personId: number, body: AssignmentBody) => api.post<RosterAssignment>(`${BASE}/persons/${personId}/assignments`, body),
  updateAssignment: (personId: number, id: number, body: AssignmentBody & { version: number }) => api.put<RosterAssignment>(`${BASE}/persons/${personId}/assignments/${id}`, body),
  deleteAssignment: (personId: number, id: number, version: number) => api.del(`${BASE}/persons/${personId}/assignments/${id}`, { query: { version } }),
  villages: (township: string) => api.get<{ items: { code: string; name: string }[] }>(`${BASE}/roster/regions/${encodeURIComponent(township)}/villages`),
  settings: () => api.get<{ chainLevels: number }>(`${BASE}/roster/settings`),
  setChainLevels: (chainLevels: number) => api.put<{ chainLevels: number }>(`${BASE}/roster/settings`, { chainLevels }),
};

/** Who may change the roster (the server checks again). */
export function canEditRoster(role: string | undefined): boolean {
  return role === 'admin' || role === 'commander' || role === 'duty';
}
