import type { AssessmentResult, RegionResult } from './assess/assess.ts';

/** Counties that matter in a report: shaken to VI or more, or with expected deaths. */
export function affectedRegions(result: AssessmentResult): RegionResult[] {
  return result.regions.filter((r) => r.maxIntensity >= 6 || r.deaths > 0);
}
