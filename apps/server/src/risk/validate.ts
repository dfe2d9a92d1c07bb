/**
 * The registry's records and their field checks, shared by the JSON routes, the import and the
 * demo seed: a create or an update merges the input over the current record (fields given
 * replace, fields left out stay), then every field is checked and every problem reported at once.
 * Region placement (in scope, known, coordinates inside it) needs the database: see service.ts.
 */
import { validateUscc, normaliseUscc, type FieldError } from '@anlan/core';
import {
  DEPARTMENT_KEYS,
  INDUSTRY_KEYS,
  PERSON_ROLE_KEYS,
  PLACE_KIND_KEYS,
  SCALE_KEYS,
  type DepartmentKey,
  type IndustryKey,
  type PersonRoleKey,
  type PlaceKindKey,
  type ScaleKey,
} from './catalogue.ts';

export const LIMITS = { name: 200, address: 300, notes: 2000, personName: 50, persons: 20 } as const;

export interface PersonRecord {
  role: PersonRoleKey;
  name: string;
  phone: string;
}

export interface EnterpriseRecord {
  name: string;
  uscc: string;
  industry: IndustryKey;
  scale: ScaleKey | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  regionCode: string;
  department: DepartmentKey;
  notes: string | null;
  persons: PersonRecord[];
}

export type EnterpriseInput = Partial<EnterpriseRecord>;

export interface PlaceRecord {
  name: string;
  kind: PlaceKindKey;
  address: string | null;
  lon: number | null;
  lat: number | null;
  regionCode: string;
  operatorName: string | null;
  operatorPhone: string | null;
  notes: string | null;
}

export type PlaceInput = Partial<PlaceRecord>;

/**
 * The supervising department an industry has everywhere in China (工贸 trades and 危化/矿山/烟花
 * 爆竹 under the emergency bureau, 燃气 and 建筑施工 under 住建, 交通运输 under 交通运输局); the
 * industries whose department varies by county (人员密集场所, 电力, 其他) have none and must say.
 */
export const DEFAULT_DEPARTMENT: Partial<Record<IndustryKey, DepartmentKey>> = {
  hazchem: 'emergency', coal_mine: 'emergency', non_coal_mine: 'emergency', metallurgy: 'emergency', nonferrous: 'emergency',
  building_materials: 'emergency', machinery: 'emergency', light_industry: 'emergency', textile: 'emergency', tobacco: 'emergency',
  commerce: 'emergency', fireworks: 'emergency', gas: 'housing', construction: 'housing', transport: 'transport',
};

function blankToNull(v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  const s = v.trim();
  return s === '' ? null : s;
}

const MOBILE = /^(?:\+?86)?1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}\d{7,8}(?:(?:转|ext|x|#)\d{1,6})?$/i;
const SERVICE = /^(?:400|800)\d{7}$/;

/** A phone number as written (spaces, hyphens and brackets dropped), or null when it is not one. */
export function normalisePhone(text: string): string | null {
  const s = text.normalize('NFKC').replace(/[\s\-()（）]/g, '');
  if (MOBILE.test(s) || LANDLINE.test(s) || SERVICE.test(s)) return s.replace(/^\+?86(?=1)/, '');
  return null;
}

export const PHONE_MESSAGE = 'must be a mobile number (11 digits starting with 1) or a landline with its area code (e.g. 0836-2821234)';

function checkText(errors: FieldError[], field: string, v: string | null, max: number, required = false): void {
  if (v === null) {
    if (required) errors.push({ field, message: 'must not be empty' });
  } else if (v.length > max) errors.push({ field, message: `must be at most ${max} characters` });
}

function checkLonLat(errors: FieldError[], lon: number | null, lat: number | null): void {
  if ((lon === null) !== (lat === null)) {
    errors.push({ field: lon === null ? 'lon' : 'lat', message: 'give both longitude and latitude, or neither' });
    return;
  }
  if (lon !== null && (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180)) {
    errors.push({ field: 'lon', message: 'must be a longitude in degrees (WGS84), -180 to 180' });
  }
  if (lat !== null && (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)) {
    errors.push({ field: 'lat', message: 'must be a latitude in degrees (WGS84), -90 to 90' });
  }
}

// ---- enterprises ----

const ENTERPRISE_FIELDS = ['name', 'uscc', 'industry', 'scale', 'address', 'lon', 'lat', 'regionCode', 'department', 'notes', 'persons'] as const;

export function mergeEnterprise(current: EnterpriseRecord | null, input: EnterpriseInput): { record: EnterpriseRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['name', 'uscc', 'industry'] as const) {
      if (input[f] === undefined || input[f] === null || input[f] === '') errors.push({ field: f, message: 'is required' });
    }
  }
  const base: EnterpriseRecord = current ?? {
    name: '', uscc: '', industry: 'other', scale: null, address: null, lon: null, lat: null, regionCode: '', department: 'other', notes: null, persons: [],
  };
  const record: EnterpriseRecord = { ...base, persons: base.persons.map((p) => ({ ...p })) };
  for (const f of ENTERPRISE_FIELDS) if (input[f] !== undefined) (record as unknown as Record<string, unknown>)[f] = input[f];
  if (!current && input.department === undefined) {
    const d = DEFAULT_DEPARTMENT[record.industry];
    if (d) record.department = d;
    else if (input.industry !== undefined) errors.push({ field: 'department', message: `is required for the industry ${record.industry}: its supervising department differs from county to county` });
  }
  record.name = (record.name ?? '').trim();
  record.uscc = normaliseUscc(record.uscc ?? '');
  record.address = blankToNull(record.address);
  record.notes = blankToNull(record.notes);
  record.regionCode = (record.regionCode ?? '').trim();
  record.persons = (record.persons ?? []).map((p) => ({
    role: p.role,
    name: (p.name ?? '').trim(),
    phone: typeof p.phone === 'string' ? (normalisePhone(p.phone) ?? p.phone.trim()) : p.phone,
  }));
  return { record, errors };
}

export function checkEnterpriseFields(e: EnterpriseRecord): FieldError[] {
  const errors: FieldError[] = [];
  if (e.name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (e.name.length > LIMITS.name) errors.push({ field: 'name', message: `must be at most ${LIMITS.name} characters` });
  if (e.uscc !== '') {
    const v = validateUscc(e.uscc);
    if (!v.valid) errors.push({ field: 'uscc', message: v.problem.en });
  } else errors.push({ field: 'uscc', message: 'must not be empty' });
  if (!INDUSTRY_KEYS.includes(e.industry)) errors.push({ field: 'industry', message: `must be one of ${INDUSTRY_KEYS.join(', ')}` });
  if (e.scale !== null && !SCALE_KEYS.includes(e.scale)) errors.push({ field: 'scale', message: `must be one of ${SCALE_KEYS.join(', ')}` });
  if (!DEPARTMENT_KEYS.includes(e.department)) errors.push({ field: 'department', message: `must be one of ${DEPARTMENT_KEYS.join(', ')}` });
  checkText(errors, 'address', e.address, LIMITS.address);
  checkText(errors, 'notes', e.notes, LIMITS.notes);
  checkLonLat(errors, e.lon, e.lat);
  if (e.persons.length > LIMITS.persons) errors.push({ field: 'persons', message: `at most ${LIMITS.persons} persons` });
  e.persons.forEach((p, i) => {
    if (!PERSON_ROLE_KEYS.includes(p.role)) errors.push({ field: `persons.${i}.role`, message: `must be one of ${PERSON_ROLE_KEYS.join(', ')}` });
    if (!p.name) errors.push({ field: `persons.${i}.name`, message: 'must not be empty' });
    else if (p.name.length > LIMITS.personName) errors.push({ field: `persons.${i}.name`, message: `must be at most ${LIMITS.personName} characters` });
    if (typeof p.phone !== 'string' || normalisePhone(p.phone) === null) errors.push({ field: `persons.${i}.phone`, message: PHONE_MESSAGE });
  });
  return errors;
}

// ---- places ----

const PLACE_FIELDS = ['name', 'kind', 'address', 'lon', 'lat', 'regionCode', 'operatorName', 'operatorPhone', 'notes'] as const;

export function mergePlace(current: PlaceRecord | null, input: PlaceInput): { record: PlaceRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['name', 'kind'] as const) {
      if (input[f] === undefined || input[f] === null || input[f] === '') errors.push({ field: f, message: 'is required' });
    }
  }
  const base: PlaceRecord = current ?? { name: '', kind: 'other', address: null, lon: null, lat: null, regionCode: '', operatorName: null, operatorPhone: null, notes: null };
  const record: PlaceRecord = { ...base };
  for (const f of PLACE_FIELDS) if (input[f] !== undefined) (record as unknown as Record<string, unknown>)[f] = input[f];
  record.name = (record.name ?? '').trim();
  record.address = blankToNull(record.address);
  record.operatorName = blankToNull(record.operatorName);
  record.operatorPhone = blankToNull(record.operatorPhone);
  if (record.operatorPhone !== null) record.operatorPhone = normalisePhone(record.operatorPhone) ?? record.operatorPhone;
  record.notes = blankToNull(record.notes);
  record.regionCode = (record.regionCode ?? '').trim();
  return { record, errors };
}

export function checkPlaceFields(p: PlaceRecord): FieldError[] {
  const errors: FieldError[] = [];
  if (p.name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (p.name.length > LIMITS.name) errors.push({ field: 'name', message: `must be at most ${LIMITS.name} characters` });
  if (!PLACE_KIND_KEYS.includes(p.kind)) errors.push({ field: 'kind', message: `must be one of ${PLACE_KIND_KEYS.join(', ')}` });
  checkText(errors, 'address', p.address, LIMITS.address);
  checkText(errors, 'operatorName', p.operatorName, LIMITS.personName);
  if (p.operatorPhone !== null && normalisePhone(p.operatorPhone) === null) errors.push({ field: 'operatorPhone', message: PHONE_MESSAGE });
  checkText(errors, 'notes', p.notes, LIMITS.notes);
  checkLonLat(errors, p.lon, p.lat);
  return errors;
}

export function sameRecord(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
