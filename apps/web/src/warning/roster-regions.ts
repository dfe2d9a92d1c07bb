// The region picker of the roster goes one level deeper than the monitoring screens': below a
// township come its villages (村/社区), which the server loads into the region tree on first use.
import { api } from '../api';
import type { Items, Region } from '../types';
import { rosterApi } from './roster-api';

export interface RosterRegionOption {
  code: string;
  name: string;
  leaf: boolean;
}

const cache = new Map<string, Promise<RosterRegionOption[]>>();

function load(code: string | null, level: string | null): Promise<RosterRegionOption[]> {
  if (code && level === 'township') {
    return rosterApi.villages(code).then((r) => r.items.map((v) => ({ code: v.code, name: v.name, leaf: true })));
  }
  const req = code ? api.get<Items<Region>>(`/regions/${encodeURIComponent(code)}/children`) : api.get<Items<Region>>('/regions');
  // A township lists no children of its own until its villages are loaded: never a leaf here.
  return req.then((r) => r.items.map((x) => ({ code: x.code, name: x.name, leaf: x.level === 'village' || (x.level !== 'township' && x.childCount === 0) })));
}

/** The user's scope roots (code null), or the children of a region, villages under townships. */
export function rosterRegionOptions(code: string | null): Promise<RosterRegionOption[]> {
  const key = code ?? '';
  let p = cache.get(key);
  if (!p) {
    const level = code === null ? null : code.length === 9 ? 'township' : 'other';
    p = load(code, level).catch((e: unknown) => {
      cache.delete(key);
      throw e;
    });
    cache.set(key, p);
  }
  return p;
}
