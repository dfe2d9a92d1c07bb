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

const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345 (thousands separators); `digits` fraction digits at most; "—" for null/NaN. */
export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (digits === 0) return nf0.format(Math.round(value));
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** Seismic intensity as a Roman numeral of its integer band (9.07 → "IX"); "—" outside 1..12. */
export function toRoman(intensity: number | null | undefined): string {
  if (intensity === null || intensity === undefined || !Number.isFinite(intensity)) return '—';
  return ROMAN[Math.min(12, Math.floor(intensity + 1e-9))] || '—';
}

/** "2025-05-01 08:30:00" entered as Beijing time → ISO 8601 with +08:00. */
export function shanghaiToIso(local: string | null | undefined): string | undefined {
  if (!local) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(local.trim());
  if (!m) return undefined;
  const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2];
  return `${m[1]}T${time}+08:00`;
}

/** 1.2 MB, 830 KB, 512 B (decimal units, as file pickers show). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(bytes < 1e4 ? 1 : 0)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
