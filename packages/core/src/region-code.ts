// GB/T 2260 region codes and the region-scope rule of DESIGN.md: a scope is the code prefix left
// after stripping trailing zero groups, so one LIKE 'prefix%' filter covers every descendant.

/** The whole country. Not a GB/T 2260 code: the national bureau's scope, matching every region. */
export const NATIONAL_CODE = '000000';

export type RegionLevel = 'country' | 'province' | 'prefecture' | 'county' | 'township' | 'village';

const CODE_PATTERN = /^(\d{6}|\d{9}|\d{12})$/;

export function isRegionCodeShape(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/** The prefix every code inside this region starts with ('' for the whole country). */
export function scopePrefix(code: string): string {
  if (code === NATIONAL_CODE) return '';
  if (!isRegionCodeShape(code)) throw new Error(`not a region code: ${code}`);
  let c = code;
  if (c.length === 12 && c.endsWith('000')) c = c.slice(0, 9);
  if (c.length === 9 && c.endsWith('000')) c = c.slice(0, 6);
  if (c.length === 6) {
    if (c.endsWith('0000')) return c.slice(0, 2);
    if (c.endsWith('00')) return c.slice(0, 4);
  }
  return c;
}

/** The level a code denotes by its shape alone. */
export function levelOfCode(code: string): RegionLevel {
  if (code === NATIONAL_CODE) return 'country';
  if (code.length === 12) return 'village';
  if (code.length === 9) return 'township';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

export function isWithinScope(code: string, scopeCode: string): boolean {
  return code.startsWith(scopePrefix(scopeCode));
}

/** A caller's reach: the code it was given and the prefix stores filter on. */
export interface RegionScope {
  readonly code: string;
  readonly prefix: string;
}

export function regionScope(code: string): RegionScope {
  return { code, prefix: scopePrefix(code) };
}

export const NATIONAL_SCOPE: RegionScope = regionScope(NATIONAL_CODE);

/** LIKE pattern for a scope; the prefix is digits only, so no escaping is needed. */
export function scopeLikePattern(scope: RegionScope): string {
  return `${scope.prefix}%`;
}
