/**
 * The fields of a responsible person and of an assignment, as stored, and the checks that need
 * nothing but the record itself (formats, lengths, vocabulary). Checks against the database
 * (regions, scope, superiors, accounts) are in service.ts.
 */
import type { FieldError } from '@anlan/core';
import {
  ASSIGNMENT_KIND_KEYS,
  ROLE_KEYS,
  VULNERABLE_CATEGORY_KEYS,
  type AssignmentKind,
  type RoleKey,
  type VulnerableCategory,
} from './vocabulary.ts';

export const LIMITS = { name: 100, assignmentName: 200, email: 254, notes: 2000, ref: 100, roles: 8, people: 100_000 } as const;

export interface PersonRecord {
  name: string;
  phone: string;
  email: string | null;
  roles: RoleKey[];
  regionCode: string;
  superiorId: number | null;
  userId: number | null;
  active: boolean;
  notes: string | null;
}

export type PersonInput = Partial<PersonRecord>;

export interface AssignmentRecord {
  kind: AssignmentKind;
  category: VulnerableCategory | null;
  name: string;
  regionCode: string;
  lon: number | null;
  lat: number | null;
  people: number;
  ref: string | null;
  active: boolean;
  notes: string | null;
}

export type AssignmentInput = Partial<AssignmentRecord>;

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland mobile number as stored: 11 digits. Spaces, hyphens, full-width digits and a +86 /
 * 0086 prefix, as people write them in spreadsheets, are taken off first.
 */
export function normalisePhone(raw: string): string {
  const s = raw.normalize('NFKC').replace(/[\s\-()（）]/g, '');
  return s.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
}

export function checkPhone(phone: string, field = 'phone'): FieldError | null {
  if (MOBILE.test(phone)) return null;
  if (/^\d+$/.test(phone) && phone.length !== 11) return { field, message: `must be a mainland mobile number of 11 digits (got ${phone.length})` };
  return { field, message: 'must be a mainland mobile number: 11 digits starting 13–19, e.g. 13900001234' };
}

// Deliberately loose: the SMTP server has the last word; this catches a phone number or a name typed in the wrong cell.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function blankToNull(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** The person a create (current null) or an update produces; the given fields replace. */
export function mergePerson(current: PersonRecord | null, input: PersonInput): { record: PersonRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['name', 'phone', 'roles', 'regionCode'] as const) {
      const v = input[f];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) errors.push({ field: f, message: 'is required' });
    }
  }
  const base: PersonRecord = current ?? { name: '', phone: '', email: null, roles: [], regionCode: '', superiorId: null, userId: null, active: true, notes: null };
  const record: PersonRecord = { ...base, roles: [...base.roles] };
  for (const [k, v] of Object.entries(input)) if (v !== undefined && k in base) (record as unknown as Record<string, unknown>)[k] = v;
  record.name = (record.name ?? '').trim();
  record.phone = normalisePhone(record.phone ?? '');
  record.email = blankToNull(record.email);
  record.notes = blankToNull(record.notes);
  // Stored in the vocabulary's order, once each: two saves of the same roles compare equal.
  record.roles = ROLE_KEYS.filter((k) => (record.roles ?? []).includes(k));
  return { record, errors };
}

export function checkPersonFields(p: PersonRecord, input: PersonInput = {}): FieldError[] {
  const errors: FieldError[] = [];
  if (p.name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (p.name.length > LIMITS.name) errors.push({ field: 'name', message: `must be at most ${LIMITS.name} characters` });
  if (p.phone !== '') {
    const e = checkPhone(p.phone);
    if (e) errors.push(e);
  }
  if (p.email !== null && (p.email.length > LIMITS.email || !EMAIL.test(p.email))) errors.push({ field: 'email', message: 'must be an e-mail address like name@example.cn' });
  const unknown = (input.roles ?? []).filter((r) => !ROLE_KEYS.includes(r));
  if (unknown.length) errors.push({ field: 'roles', message: `unknown role ${unknown.join(', ')}; roles are ${ROLE_KEYS.join(', ')}` });
  else if (p.roles.length === 0) errors.push({ field: 'roles', message: 'give at least one role' });
  else if (p.roles.length > LIMITS.roles) errors.push({ field: 'roles', message: `at most ${LIMITS.roles} roles` });
  if (p.notes !== null && p.notes.length > LIMITS.notes) errors.push({ field: 'notes', message: `must be at most ${LIMITS.notes} characters` });
  return errors;
}

/** The assignment a create or an update produces. */
export function mergeAssignment(current: AssignmentRecord | null, input: AssignmentInput): { record: AssignmentRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['kind', 'name', 'regionCode'] as const) {
      if (input[f] === undefined || input[f] === null || input[f] === '') errors.push({ field: f, message: 'is required' });
    }
  }
  const base: AssignmentRecord = current ?? { kind: 'household', category: null, name: '', regionCode: '', lon: null, lat: null, people: 0, ref: null, active: true, notes: null };
  const record: AssignmentRecord = { ...base };
  for (const [k, v] of Object.entries(input)) if (v !== undefined && k in base) (record as unknown as Record<string, unknown>)[k] = v;
  // A kind other than vulnerable has no category: changing the kind drops it.
  if (record.kind !== 'vulnerable' && input.category === undefined) record.category = null;
  record.name = (record.name ?? '').trim();
  record.ref = blankToNull(record.ref);
  record.notes = blankToNull(record.notes);
  return { record, errors };
}

export function checkAssignmentFields(a: AssignmentRecord): FieldError[] {
  const errors: FieldError[] = [];
  if (!ASSIGNMENT_KIND_KEYS.includes(a.kind)) errors.push({ field: 'kind', message: `must be one of ${ASSIGNMENT_KIND_KEYS.join(', ')}` });
  if (a.kind === 'vulnerable') {
    if (a.category === null) errors.push({ field: 'category', message: `is required for a vulnerable person: one of ${VULNERABLE_CATEGORY_KEYS.join(', ')}` });
    else if (!VULNERABLE_CATEGORY_KEYS.includes(a.category)) errors.push({ field: 'category', message: `must be one of ${VULNERABLE_CATEGORY_KEYS.join(', ')}` });
  } else if (a.category !== null) {
    errors.push({ field: 'category', message: 'is only for kind vulnerable (独居老人, 留守儿童…)' });
  }
  if (a.name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (a.name.length > LIMITS.assignmentName) errors.push({ field: 'name', message: `must be at most ${LIMITS.assignmentName} characters` });
  if ((a.lon === null) !== (a.lat === null)) {
    errors.push({ field: a.lon === null ? 'lon' : 'lat', message: 'give both lon and lat, or neither' });
  } else if (a.lon !== null && a.lat !== null) {
    if (!Number.isFinite(a.lon) || a.lon < -180 || a.lon > 180) errors.push({ field: 'lon', message: 'must be a longitude in degrees (WGS84), -180 to 180' });
    if (!Number.isFinite(a.lat) || a.lat < -90 || a.lat > 90) errors.push({ field: 'lat', message: 'must be a latitude in degrees (WGS84), -90 to 90' });
  }
  if (!Number.isInteger(a.people) || a.people < 0 || a.people > LIMITS.people) errors.push({ field: 'people', message: `must be a whole number of people from 0 to ${LIMITS.people}` });
  if (a.ref !== null && a.ref.length > LIMITS.ref) errors.push({ field: 'ref', message: `must be at most ${LIMITS.ref} characters` });
  if (a.notes !== null && a.notes.length > LIMITS.notes) errors.push({ field: 'notes', message: `must be at most ${LIMITS.notes} characters` });
  return errors;
}

export function sameRecord(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
