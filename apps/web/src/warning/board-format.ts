// How the board shows a recipient's status and the time left: silent and escalated in red (the
// board's whole point is to find them at a glance), answered in green, the rest in greys and blues.
import { currentLocale } from '../i18n';
import type { RecipientStatus } from './board-api';

export const STATUS_COLOURS: Record<RecipientStatus, string> = {
  queued: '#909399',
  sent: '#6b8fc7',
  delivered: '#1f6fd1',
  answered: '#2e9d57',
  escalated: '#d0021b',
  silent: '#8f0013',
  failed: '#e6a23c',
};

/** Statuses that need the duty officer now. */
export const ALERT_STATUSES: readonly RecipientStatus[] = ['silent', 'escalated', 'failed'];

/** "1小时05分" / "1 h 05 min"; "45秒" under a minute. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(Math.abs(totalSeconds)));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const zh = currentLocale.value === 'zh-CN';
  if (h === 0 && m === 0) return zh ? `${s}秒` : `${s} s`;
  if (h === 0) return zh ? `${m}分钟` : `${m} min`;
  const mm = String(m).padStart(2, '0');
  return zh ? `${h}小时${mm}分` : `${h} h ${mm} min`;
}

/** 0.5172 → "51.7%"; "—" when there is no rate. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

/**
 * Seconds left of a recipient's deadline, counted down on the page between reloads: the server
 * said how many were left when it answered (`secondsLeft` at `at`), the page subtracts what passed.
 */
export function secondsLeftNow(secondsLeft: number | null, loadedAtMs: number, nowMs: number): number | null {
  if (secondsLeft === null) return null;
  return secondsLeft - Math.round((nowMs - loadedAtMs) / 1000);
}
