import gm from '../../data/models/ground-motion.json' with { type: 'json' };

/** GB/T 17742-2020 appendix A: I_A = 3.17·lg(PGA) + 6.59, PGA in m/s². Unrounded, unclamped. */
export function intensityFromPga(pgaMs2: number): number {
  return gm.pga.slope * Math.log10(pgaMs2) + gm.pga.intercept;
}
/** I_V = 3.00·lg(PGV) + 9.77, PGV in m/s. */
export function intensityFromPgv(pgvMs: number): number {
  return gm.pgv.slope * Math.log10(pgvMs) + gm.pgv.intercept;
}
/** Inverse of I_A: the PGA (m/s²) at the centre of intensity I. */
export function pgaFromIntensity(intensity: number): number {
  return 10 ** ((intensity - gm.pga.intercept) / gm.pga.slope);
}
/** Inverse of I_V: the PGV (m/s) at the centre of intensity I. */
export function pgvFromIntensity(intensity: number): number {
  return 10 ** ((intensity - gm.pgv.intercept) / gm.pgv.slope);
}

/**
 * Instrumental intensity I_I of appendix A: velocity governs once both estimates reach VI
 * (damage correlates better with PGV), below that their mean; rounded to 0.1, clamped to [1, 12].
 */
export function instrumentalIntensity(pgaMs2: number, pgvMs: number): number {
  const ia = intensityFromPga(pgaMs2);
  const iv = intensityFromPgv(pgvMs);
  const raw = ia >= gm.velocityThreshold && iv >= gm.velocityThreshold ? iv : (ia + iv) / 2;
  const rounded = Math.round(raw * 10) / 10;
  return Math.min(gm.clamp[1], Math.max(gm.clamp[0], rounded));
}
