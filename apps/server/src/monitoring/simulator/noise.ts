/**
 * Deterministic noise for the demo simulator: every value is a pure function of (seed, key, n),
 * so a reading at a given instant is the same whichever tick computes it, after a restart, in a
 * test or in the sample recording. No state, no Math.random.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const keyHashes = new Map<string, number>();

function hashKey(key: string): number {
  let h = keyHashes.get(key);
  if (h === undefined) {
    // FNV-1a over UTF-16 code units: sensor codes are ASCII, scenario keys short.
    h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h >>>= 0;
    keyHashes.set(key, h);
  }
  return h;
}

/** Uniform in [0, 1) from the seed, a key (a sensor code) and an integer (seconds, a cycle number). */
export function unit(seed: number, key: string, n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  let h = fmix32(hashKey(key) ^ Math.imul(seed | 0, 0x9e3779b1));
  h = fmix32(h ^ lo);
  h = fmix32(h ^ Math.imul(hi + 1, 0x27d4eb2f));
  return h / 4294967296;
}

/**
 * Bounded noise in (−amp, amp), bell-shaped (mean of three uniforms). Bounded on purpose: the
 * scenario promises which thresholds are crossed and which are not, whatever the seed.
 */
export function jitter(seed: number, key: string, n: number, amp: number): number {
  const s = unit(seed, key, n * 3) + unit(seed, key, n * 3 + 1) + unit(seed, key, n * 3 + 2);
  return (s / 1.5 - 1) * amp;
}

/** Slow wandering in [−amp, amp]: two sines of seeded phase, periods of about a day and a half and five hours. */
export function wander(seed: number, key: string, tMs: number, amp: number): number {
  const hours = tMs / 3_600_000;
  const a = Math.sin((2 * Math.PI * hours) / 37 + 2 * Math.PI * unit(seed, `${key}:w1`, 0));
  const b = Math.sin((2 * Math.PI * hours) / 5.3 + 2 * Math.PI * unit(seed, `${key}:w2`, 0));
  return amp * (0.7 * a + 0.3 * b);
}

/** Standard normal cumulative distribution (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
