// Display helpers. All times are shown in Asia/Shanghai regardless of the browser's zone.

const TZ = 'Asia/Shanghai';
const dtf = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "2025-05-01 08:30:00" in Asia/Shanghai; "—" for empty or invalid input. */
export function formatTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p: Record<string, string> = {};
  for (const part of dtf.formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

export function formatDate(value: string | null | undefined): string {
  const s = formatTime(value);
  return s.length > 10 ? s.slice(0, 10) : s;
}

/** 102.2345°E, 29.9123°N */
export function formatLonLat(c: [number, number] | null | undefined): string {
  if (!c) return '—';
  const [lon, lat] = c;
  const ew = lon >= 0 ? 'E' : 'W';
  const ns = lat >= 0 ? 'N' : 'S';
  return `${Math.abs(lon).toFixed(4)}°${ew}, ${Math.abs(lat).toFixed(4)}°${ns}`;
}

export const REGION_CODE_RE = /^(\d{6}|\d{9}|\d{12})$/;

export function prettyJson(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2);
}
