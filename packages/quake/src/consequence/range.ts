export interface Range { median: number; low: number; high: number }

/** Lognormal-style range: the median divided and multiplied by a documented factor. */
export function rangeOf(median: number, factor: number): Range {
  return { median, low: median / factor, high: median * factor };
}
