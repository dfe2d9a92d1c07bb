// 在线率 rows of the device status page, by region or by sensor type.
import type { StatusCounts } from '../types';

export interface StatusRow extends StatusCounts {
  key: string;
  name: string;
}

/** Online share in percent; 0 when there are no sensors. */
export function onlineRate(r: StatusCounts): number {
  return r.sensors ? (r.online / r.sensors) * 100 : 0;
}

export function rateColour(percent: number): string {
  if (percent >= 95) return '#2e9d5b';
  if (percent >= 80) return '#e6a23c';
  return '#d0021b';
}
