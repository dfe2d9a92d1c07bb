/**
 * The quick report text of the China Earthquake Networks Center (中国地震台网中心, CENC), as it is
 * broadcast by SMS, Weibo and WeChat:
 *
 *   中国地震台网正式测定：09月05日12时52分在四川甘孜州泸定县（北纬29.59度，东经102.08度）发生6.8级地震，震源深度16千米。
 *
 * Variants: 自动测定 (automatic, minutes earlier, revised later), a year (2022年09月05日), 南纬/西经,
 * 公里 for 千米. Times are Beijing time (UTC+8).
 */
export interface CencReport {
  time: string;
  lat: number;
  lon: number;
  magnitude: number;
  depthKm: number;
  place: string;
  automatic: boolean;
}

const PATTERN = new RegExp(
  [
    '(?<kind>正式|自动)测定[：:]\\s*',
    '(?:(?<year>\\d{4})年)?(?<month>\\d{1,2})月(?<day>\\d{1,2})日\\s*(?<hour>\\d{1,2})时(?<minute>\\d{1,2})分(?:(?<second>\\d{1,2})秒)?',
    '\\s*在(?<place>[^（(]+?)\\s*[（(]',
    '(?<ns>北纬|南纬)\\s*(?<lat>\\d+(?:\\.\\d+)?)\\s*度\\s*[，,]\\s*(?<ew>东经|西经)\\s*(?<lon>\\d+(?:\\.\\d+)?)\\s*度\\s*[）)]',
    '\\s*发生\\s*(?<mag>\\d+(?:\\.\\d+)?)\\s*级(?:左右)?地震',
    '(?:[，,]\\s*震源深度\\s*(?<depth>\\d+(?:\\.\\d+)?)\\s*(?:千米|公里|km))?',
  ].join(''),
);

const pad = (n: string | number) => String(n).padStart(2, '0');

/**
 * Reads a CENC quick report. `now` supplies the year when the text has none (the report is about
 * an earthquake that just happened; around New Year a December report read in January belongs to
 * the previous year). Returns what it could not read when the text is not such a report.
 */
export function parseCencText(text: string, now: Date): { report: CencReport | null; missing: string[] } {
  const m = PATTERN.exec(text.replace(/\s+/g, ' '));
  if (!m?.groups) {
    const missing: string[] = [];
    if (!/测定/.test(text)) missing.push('"正式测定" or "自动测定"');
    if (!/\d+月\d+日\d+时\d+分/.test(text)) missing.push('origin time (MM月DD日HH时mm分)');
    if (!/北纬|南纬/.test(text)) missing.push('latitude (北纬…度)');
    if (!/东经|西经/.test(text)) missing.push('longitude (东经…度)');
    if (!/级/.test(text)) missing.push('magnitude (…级)');
    return { report: null, missing: missing.length ? missing : ['the sentence structure of a CENC quick report'] };
  }
  const g = m.groups;
  const month = Number(g.month), day = Number(g.day);
  const beijingNow = new Date(now.getTime() + 8 * 3600_000);
  let year = g.year ? Number(g.year) : beijingNow.getUTCFullYear();
  if (!g.year && month > beijingNow.getUTCMonth() + 1 + 1) year -= 1;
  const iso = `${year}-${pad(month)}-${pad(day)}T${pad(g.hour)}:${pad(g.minute)}:${pad(g.second ?? 0)}+08:00`;
  const parsed = Date.parse(iso);
  if (Number.isNaN(parsed) || month > 12 || day > 31 || Number(g.hour) > 23 || Number(g.minute) > 59) return { report: null, missing: [`a valid origin time (read ${iso})`] };
  if (g.depth === undefined) return { report: null, missing: ['focal depth (震源深度…千米)'] };
  return {
    report: {
      time: new Date(parsed).toISOString(),
      lat: Number(g.lat) * (g.ns === '南纬' ? -1 : 1),
      lon: Number(g.lon) * (g.ew === '西经' ? -1 : 1),
      magnitude: Number(g.mag),
      depthKm: Number(g.depth),
      place: g.place.trim(),
      automatic: g.kind === '自动',
    },
    missing: [],
  };
}
