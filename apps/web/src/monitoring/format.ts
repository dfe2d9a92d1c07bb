// Display helpers of the monitoring screens.
import { t } from '../i18n';
import type { ReadingResolution } from '../types';

/**
 * A measured value as an instrument would show it: no thousands separators (a water level of
 * 1308.52 m is read as a number, not an amount), up to 2 decimals (3 below 1), trailing zeros
 * dropped; "—" when missing.
 */
export function formatReading(value: number | string | null | undefined, unit?: string | null): string {
  if (value === null || value === undefined || value === '') return '—';
  const v = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(v)) return String(value);
  const digits = Math.abs(v) >= 1 || v === 0 ? 2 : 3;
  const text = v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/** 3600 → "1 小时", 90 → "90 秒", 86400 → "1 天". */
export function formatSeconds(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  if (sec > 0 && sec % 86400 === 0) return t('monitoring.units.days', { n: sec / 86400 });
  if (sec > 0 && sec % 3600 === 0) return t('monitoring.units.hours', { n: sec / 3600 });
  if (sec > 0 && sec % 60 === 0) return t('monitoring.units.minutes', { n: sec / 60 });
  return t('monitoring.units.seconds', { n: sec });
}

/** "40 分钟前" style age of a timestamp, for latest values. */
export function formatAge(ts: string | null | undefined, now = Date.now()): string {
  if (!ts) return '';
  const ms = now - new Date(ts).getTime();
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('monitoring.age.justNow');
  if (s < 3600) return t('monitoring.age.minutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('monitoring.age.hours', { n: Math.floor(s / 3600) });
  return t('monitoring.age.days', { n: Math.floor(s / 86400) });
}

/** Raw readings while they stay under ~3,000 points, else minute rollups (up to 2 days), else hourly. */
export function resolutionFor(hours: number, samplingIntervalSec: number): ReadingResolution {
  const raw = (hours * 3600) / Math.max(1, samplingIntervalSec);
  if (raw <= 3000) return 'raw';
  if (hours <= 48) return 'minute';
  return 'hour';
}
