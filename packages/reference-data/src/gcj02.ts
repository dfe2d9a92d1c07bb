/**
 * GCJ-02 ("Mars coordinates"), the datum Chinese map providers are required to publish in,
 * and its inverse back to WGS84.
 *
 * The forward transform is the widely reproduced public reconstruction of the official algorithm
 * (Krasovsky 1940 ellipsoid constants, sinusoidal offsets centred on 105°E 35°N). It has no closed
 * inverse, so `gcj02ToWgs84` solves it by fixed-point iteration: the offset varies slowly
 * (< 1e-5 deg change per 100 m), so subtracting the forward error converges in a few steps.
 */

const A = 6378245.0; // semi-major axis of the Krasovsky 1940 ellipsoid, as used by GCJ-02
const EE = 0.006693421622965943; // its first eccentricity squared (0.00669342162296594323 to double precision)
const { sin, cos, sqrt, abs, PI } = Math;

/**
 * The obfuscation applies only inside this rough rectangle around China; elsewhere providers
 * publish plain WGS84, so both directions pass points through unchanged.
 */
export function isInsideGcjArea(lon: number, lat: number): boolean {
  return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

function offsetLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x));
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3;
  r += ((20 * sin(y * PI) + 40 * sin((y / 3) * PI)) * 2) / 3;
  r += ((160 * sin((y / 12) * PI) + 320 * sin((y * PI) / 30)) * 2) / 3;
  return r;
}

function offsetLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x));
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3;
  r += ((20 * sin(x * PI) + 40 * sin((x / 3) * PI)) * 2) / 3;
  r += ((150 * sin((x / 12) * PI) + 300 * sin((x / 30) * PI)) * 2) / 3;
  return r;
}

/** Offset in degrees that GCJ-02 adds to a WGS84 point. */
function gcjDelta(lon: number, lat: number): [number, number] {
  const dLonM = offsetLon(lon - 105, lat - 35);
  const dLatM = offsetLat(lon - 105, lat - 35);
  const radLat = (lat / 180) * PI;
  const s = sin(radLat);
  const magic = 1 - EE * s * s;
  const sqrtMagic = sqrt(magic);
  const dLon = (dLonM * 180) / ((A / sqrtMagic) * cos(radLat) * PI);
  const dLat = (dLatM * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  return [dLon, dLat];
}

export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  if (!isInsideGcjArea(lon, lat)) return [lon, lat];
  const [dLon, dLat] = gcjDelta(lon, lat);
  return [lon + dLon, lat + dLat];
}

/** Converged well below the 1e-5 deg (≈1 m) rounding we store coordinates with. */
const INVERSE_TOLERANCE = 1e-10;
const INVERSE_MAX_STEPS = 30;

export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  if (!isInsideGcjArea(lon, lat)) return [lon, lat];
  let wLon = lon;
  let wLat = lat;
  for (let i = 0; i < INVERSE_MAX_STEPS; i++) {
    const [gLon, gLat] = wgs84ToGcj02(wLon, wLat);
    const eLon = gLon - lon;
    const eLat = gLat - lat;
    wLon -= eLon;
    wLat -= eLat;
    if (abs(eLon) < INVERSE_TOLERANCE && abs(eLat) < INVERSE_TOLERANCE) break;
  }
  return [wLon, wLat];
}
