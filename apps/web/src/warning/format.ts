// The vocabulary of the 预警发布 screens: level colours (as on the warning signals, the same as
// the monitoring screens'), how each state is tagged, who may draft and approve, and the circles
// the map draws for circular areas.
import { session } from '../session';
import { LEVEL_COLOURS, textOn } from '../monitoring/levels';
import type { Role, WarningLevel } from '../types';
import type { Circle, WarningState } from './api';

export { LEVEL_COLOURS, textOn };

export const STATE_TAG: Readonly<Record<WarningState, 'primary' | 'success' | 'info' | 'warning' | 'danger'>> = {
  draft: 'info',
  pending: 'warning',
  rejected: 'danger',
  issued: 'success',
  superseded: 'info',
  cancelled: 'info',
  expired: 'info',
};

/** Roles that draft, submit, promote, update and cancel (the server's WRITERS). */
export const DRAFT_ROLES: readonly Role[] = ['admin', 'commander', 'duty'];
/** Roles that approve (签发) and import CAP (the server's SIGNERS). */
export const SIGN_ROLES: readonly Role[] = ['admin', 'commander'];

export function canDraft(): boolean {
  const role = session.user?.role;
  return !!role && DRAFT_ROLES.includes(role);
}

export function canSign(): boolean {
  const role = session.user?.role;
  return !!role && SIGN_ROLES.includes(role);
}

/** The default headline: 泸定县暴雨橙色预警. */
export function suggestedHeadline(place: string, eventZh: string, level: WarningLevel | undefined): string {
  const names: Record<WarningLevel, string> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };
  return `${place}${eventZh}${level ? names[level] : ''}预警`;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: [number, number], b: [number, number]): number {
  const dLat = rad(b[1] - a[1]);
  const dLon = rad(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A circle as a closed ring of [lon, lat] on the sphere (for drawing; the server buffers its own). */
export function circleRing(c: Circle, steps = 64): [number, number][] {
  const d = c.radiusKm / EARTH_RADIUS_KM;
  const lat1 = rad(c.lat);
  const lon1 = rad(c.lon);
  const ring: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const brg = (2 * Math.PI * (i % steps)) / steps;
    const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(brg));
    const lon2 = lon1 + Math.atan2(Math.sin(brg) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
    ring.push([Number(deg(lon2).toFixed(6)), Number(deg(lat2).toFixed(6))]);
  }
  return ring;
}

/** Rounds a coordinate to about 0.1 m: what a click can mean, and what the CAP text shows. */
export const roundCoord = (v: number) => Math.round(v * 1e6) / 1e6;
