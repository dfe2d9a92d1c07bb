// Who may do what on the 企业与场所 screens — the server's rules (apps/server/src/risk/routes.ts),
// so that buttons a user cannot use are not shown. The server decides in the end.
import { session } from '../session';
import type { Role } from '../types';

const REGISTRARS: readonly Role[] = ['admin', 'commander', 'duty', 'inspector'];
const PLACE_REGISTRARS: readonly Role[] = [...REGISTRARS, 'responder'];

/** Enterprise accounts see only their own enterprise, never the register. */
export function canReadRegister(): boolean {
  const role = session.user?.role;
  return !!role && role !== 'enterprise';
}

export function canRegisterEnterprises(): boolean {
  const role = session.user?.role;
  return !!role && REGISTRARS.includes(role);
}

export function canRegisterPlaces(): boolean {
  const role = session.user?.role;
  return !!role && PLACE_REGISTRARS.includes(role);
}

/** Major hazard grades: 一级 (the most severe) red to 四级 blue, as the bureaus colour them. */
export const GRADE_COLOURS: Record<number, string> = { 1: '#d0021b', 2: '#f07c00', 3: '#e6b800', 4: '#2f7fd8' };
/** On the map: enterprises without a major hazard, and small places. */
export const ENTERPRISE_COLOUR = '#5b6b82';
export const PLACE_COLOUR = '#2e9d5b';

export function gradeTagType(grade: number | null): 'danger' | 'warning' | 'primary' | 'info' {
  if (grade === 1) return 'danger';
  if (grade === 2 || grade === 3) return 'warning';
  if (grade === 4) return 'primary';
  return 'info';
}
