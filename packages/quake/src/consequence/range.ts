export interface Range { median: number; low: number; high: number }

/** Lognormal-style range: the median divided and multiplied by a documented factor. */
export function rangeOf(median: number, factor: number): Range {
  return { median, low: median / factor, high: median * factor };
}

/**
 * A ±1σ (16th–84th percentile) range from two independent lognormal sources of uncertainty:
 * the intensity (the same quantity evaluated with the whole field lowered and raised by one
 * standard deviation, `atLow` and `atHigh`) and the model (`beta`, the log standard deviation of
 * the rates given the damage). Each side combines in quadrature, so the range is asymmetric when
 * the quantity is more sensitive to a stronger than to a weaker shaking:
 *
 *   low  = median · exp(−√(ln(median/atLow)² + β²)),  high = median · exp(√(ln(atHigh/median)² + β²)).
 *
 * A median of zero (everything below the damage threshold) keeps low = 0 and takes the upper
 * scenario for high, widened by the model uncertainty.
 */
export function intensityRange(median: number, atLow: number, atHigh: number, beta: number): Range {
  if (!(median > 0)) return { median: 0, low: 0, high: atHigh > 0 ? atHigh * Math.exp(beta) : 0 };
  const bLo = atLow > 0 ? Math.max(0, Math.log(median / atLow)) : Infinity;
  const bHi = Math.max(0, Math.log(Math.max(atHigh, median) / median));
  return {
    median,
    low: bLo === Infinity ? 0 : median * Math.exp(-Math.hypot(bLo, beta)),
    high: median * Math.exp(Math.hypot(bHi, beta)),
  };
}
