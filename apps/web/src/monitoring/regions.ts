// Region helpers of the monitoring screens: the prefix a region code covers, and the options of
// the region filter (the user's scope, then its children on demand).
import { api } from '../api';
import type { Items, Region } from '../types';

/** GB/T 2260 scope prefix: 513300 → 5133, 510000 → 51, 513322 → 513322, 513322100 → 513322100. */
export function regionPrefix(code: string): string {
  let c = code;
  if (c.length === 12 && c.endsWith('000')) c = c.slice(0, 9);
  if (c.length === 9 && c.endsWith('000')) c = c.slice(0, 6);
  if (c.length === 6) {
    if (c.endsWith('0000')) return c.slice(0, 2);
    if (c.endsWith('00')) return c.slice(0, 4);
  }
  return c;
}

export function inRegion(code: string | null | undefined, region: string | null | undefined): boolean {
  if (!region) return true;
  if (!code) return false;
  return code.startsWith(regionPrefix(region));
}

export interface RegionOption {
  code: string;
  name: string;
  leaf: boolean;
}

function toOption(r: Region): RegionOption {
  return { code: r.code, name: r.name, leaf: r.childCount === 0 || r.level === 'township' || r.level === 'village' };
}

const cache = new Map<string, Promise<RegionOption[]>>();

/** The user's scope roots (code null), or the children of a region. */
export function regionOptions(code: string | null): Promise<RegionOption[]> {
  const key = code ?? '';
  let p = cache.get(key);
  if (!p) {
    p = (code ? api.get<Items<Region>>(`/regions/${encodeURIComponent(code)}/children`) : api.get<Items<Region>>('/regions'))
      .then((r) => r.items.map(toOption))
      .catch((e: unknown) => {
        cache.delete(key);
        throw e;
      });
    cache.set(key, p);
  }
  return p;
}
