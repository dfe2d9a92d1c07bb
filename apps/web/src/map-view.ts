import type { Region } from './types';

/** What the region map shows: one region with its children, or the caller's scope roots side by side. */
export type MapView =
  | {
      kind: 'region';
      region: Region;
      children: Region[];
      /** shown (dashed) when the region itself has no geometry: usually its parent */
      context?: Region | null;
    }
  | { kind: 'roots'; roots: Region[] };

export type Detail = 0 | 1 | 2;

/** Boundary detail level to request for a map zoom: 0 overview (country/province), 1 regional, 2 local. */
export function detailForZoom(zoom: number): Detail {
  if (zoom < 6) return 0;
  if (zoom < 9) return 1;
  return 2;
}
