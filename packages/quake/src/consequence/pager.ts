import pager from '../../data/models/pager-china.json' with { type: 'json' };
import type { Range } from './range.ts';

export type PagerAlert = 'green' | 'yellow' | 'orange' | 'red';
/** Exposure bins 0..PAGER_MAX_BIN (rounded intensity; the top bin collects ≥ 9.5). */
export const PAGER_MAX_BIN: number = pager.maxBin;

/**
 * Standard normal CDF, Hart (1968) double-precision rational approximation as given by
 * West (2005, Wilmott): absolute error about 1e-14, far inside the 1e-7 we need.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x);
  let c: number;
  if (z > 37) {
    c = 0;
  } else {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let d = z + 0.65;
      d = z + 4 / d;
      d = z + 3 / d;
      d = z + 2 / d;
      d = z + 1 / d;
      c = e / d / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** PAGER China fatality rate ν(S) = Φ(ln(S/θ)/β). */
export function pagerFatalityRate(intensity: number): number {
  if (intensity <= 0) return 0;
  return normalCdf(Math.log(intensity / pager.theta) / pager.beta);
}

/** Bin of a continuous intensity as PAGER bins its exposure: rounded, top bin collects ≥ 9.5. */
export function pagerBin(intensity: number): number {
  const b = Math.floor(intensity + 0.5);
  return b < 0 ? 0 : b > pager.maxBin ? pager.maxBin : b;
}

/**
 * Expected deaths as PAGER computes them (losspager EmpiricalLoss.getLosses): rates at MMI 5..9
 * only, and the population of the top exposure bin (X, ≥ 9.5) counted at the rate of IX
 * ("we treat MMI 10 as MMI 9"). populationByBin[S] for S = 0..maxBin.
 */
export function pagerDeaths(populationByBin: ArrayLike<number>): number {
  let deaths = 0;
  for (let s = 0; s < populationByBin.length && s <= pager.maxBin; s++) {
    const rateBin = Math.min(s, pager.rateMaxBin);
    if (rateBin < pager.rateMinBin) continue;
    deaths += populationByBin[s] * pagerFatalityRate(rateBin);
  }
  return deaths;
}

/**
 * PAGER's uncertainty: deaths lognormal around the model value with log standard deviation G
 * (the country's gnormvalue, capped; a smaller cap below one expected death, as in
 * losspager/utils/probs.py). Reported as the 16th–84th percentile.
 */
export function pagerRange(median: number): Range {
  let g = Math.min(pager.gnormvalue, pager.gnormCap);
  if (median < 1) g = Math.min(g, pager.gnormBelowOne);
  return { median, low: median * Math.exp(-g), high: median * Math.exp(g) };
}

export function pagerAlert(medianDeaths: number): PagerAlert {
  let alert: PagerAlert = 'green';
  for (const a of pager.alerts) if (medianDeaths >= a.minDeaths) alert = a.alert as PagerAlert;
  return alert;
}
