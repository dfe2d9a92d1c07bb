// Helpers of the earthquake rapid assessment page: colours, roles, reports, inventories and jobs.
import type { AssessmentJob, AssessmentSummary, JobStep } from './types';

/** Seismic intensity VI (light yellow) → XII (darkest red). */
export const INTENSITY_COLOURS: Record<number, string> = {
  6: '#fff2a8',
  7: '#fecc5c',
  8: '#fd8d3c',
  9: '#f03b20',
  10: '#bd0026',
  11: '#800026',
  12: '#4a0015',
};

export const INTENSITIES = [6, 7, 8, 9, 10, 11, 12] as const;

export const PAGER_COLOURS: Record<string, string> = {
  green: '#2e9d4a',
  yellow: '#e6b800',
  orange: '#f07c00',
  red: '#d0021b',
};

export const RUN_ROLES = ['admin', 'commander', 'duty'] as const;

/** The national region code: only a national administrator changes the automatic assessment threshold. */
export const NATIONAL_CODE = '000000';

/** Not replaced by a newer assessment of the same earthquake, not cancelled. */
export function isLiveAssessment(a: Pick<AssessmentSummary, 'supersededBy' | 'cancelledAt'>): boolean {
  return !a.supersededBy && !a.cancelledAt;
}

/** The stages of an assessment job in order, for the progress shown while it runs. */
export const JOB_STEPS: readonly JobStep[] = ['queued', 'loading', 'assessing', 'storing'];

/** Where a job is (or where it failed); null for a failed job that never started a stage. */
export function jobStep(job: Pick<AssessmentJob, 'state' | 'stage'>): JobStep | null {
  if (job.state === 'queued') return 'queued';
  if (job.stage) return job.stage;
  if (job.state === 'running') return 'loading';
  return job.state === 'done' ? 'storing' : null;
}

/** Inventory files the server reads, by extension. */
export const INVENTORY_ACCEPT = '.csv,.geojson,.json';

export function inventoryContentType(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.geojson')) return 'application/geo+json';
  if (lower.endsWith('.json')) return 'application/json';
  return 'text/csv';
}

/** "row 3: class" (a problem+json field of an upload where no row was good) → { row, field }. */
export function parseRowField(field: string): { row: number; field: string } | null {
  const m = /^row (\d+):\s*(.*)$/.exec(field);
  return m ? { row: Number(m[1]), field: m[2]! } : null;
}


const REPORT_FORMAT_KEYS: Record<string, string> = { cap: 'cap', json: 'json', geojson: 'geojson', 'cenc-text': 'cencText' };

/** "CAP", "GeoJSON", "速报" (the CENC quick-report text); an unknown format as sent. */
export function reportFormatLabel(format: string, t: (key: string) => string): string {
  const key = REPORT_FORMAT_KEYS[format];
  return key ? t(`quake.reportFormats.${key}`) : format;
}
