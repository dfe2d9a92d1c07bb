import type { QuakeEvent } from './types.ts';

/** A problem with one input of an earthquake: which field, and what is wrong with it. */
export interface EventFieldError {
  field: string;
  message: string;
}

export interface RawEventInput {
  lon?: unknown;
  lat?: unknown;
  depthKm?: unknown;
  magnitude?: unknown;
  strikeDeg?: unknown;
  time?: unknown;
}

// Bounds that any real event inside or near China satisfies; outside them the models were never
// fitted and the answer would be fiction presented as fact.
const LIMITS = {
  lon: [70, 140],
  lat: [0, 56],
  depthKm: [0, 700],
  magnitude: [3, 9.5],
  strikeDeg: [0, 360],
} as const;

const FIELD_NAMES: Record<keyof typeof LIMITS, string> = {
  lon: 'longitude (°E)',
  lat: 'latitude (°N)',
  depthKm: 'depth (km)',
  magnitude: 'magnitude (Ms)',
  strikeDeg: 'strike (° from north)',
};

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** Validates every input at once, so the user sees all mistakes in one go. */
export function parseEvent(input: RawEventInput): { event: QuakeEvent | null; errors: EventFieldError[] } {
  const errors: EventFieldError[] = [];
  const values: Partial<Record<keyof typeof LIMITS, number>> = {};
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const raw = input[key];
    const optional = key === 'strikeDeg';
    if (raw === undefined || raw === null || raw === '') {
      if (!optional) errors.push({ field: key, message: `${FIELD_NAMES[key]} is required` });
      continue;
    }
    const n = numberOf(raw);
    const [min, max] = LIMITS[key];
    if (n === null) errors.push({ field: key, message: `${FIELD_NAMES[key]} must be a number, got ${JSON.stringify(raw)}` });
    else if (n < min || n > max) errors.push({ field: key, message: `${FIELD_NAMES[key]} must be between ${min} and ${max}, got ${n}` });
    else values[key] = n;
  }
  let time: string | undefined;
  if (input.time !== undefined && input.time !== null && input.time !== '') {
    const parsed = typeof input.time === 'string' ? Date.parse(input.time) : NaN;
    if (Number.isNaN(parsed)) errors.push({ field: 'time', message: `time must be an ISO 8601 date-time, got ${JSON.stringify(input.time)}` });
    else time = new Date(parsed).toISOString();
  }
  if (errors.length > 0) return { event: null, errors };
  return {
    event: {
      lon: values.lon!,
      lat: values.lat!,
      depthKm: values.depthKm!,
      magnitude: values.magnitude!,
      ...(values.strikeDeg !== undefined ? { strikeDeg: values.strikeDeg % 360 } : {}),
      ...(time ? { time } : {}),
    },
    errors,
  };
}
