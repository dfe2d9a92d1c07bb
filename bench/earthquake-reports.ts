// Earthquake report → stored assessment, end to end on the embedded database: time from the POST
// of a report (CAP XML, JSON, CENC text) to the answer that names the stored assessment, for
// distinct earthquakes; the answer to a repeated report; and an inventory upload (rows/s).
import { startTestServer } from '../tests/helpers/server.ts';
import { Client } from '../tests/helpers/http.ts';
import { percentiles, ms, mib } from './stats.ts';

const PATH = '/api/v1/assessments/earthquake/reports';
const ROUNDS = 8;

const cap = (id: string, lon: number, lat: number, mag: number, time: string) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${id}</identifier><sender>bench@example.cn</sender>
<sent>2026-01-01T00:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>Geo</category><event>地震</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
<parameter><valueName>magnitude</valueName><value>${mag}</value></parameter><parameter><valueName>depth</valueName><value>12</value></parameter>
<parameter><valueName>OriginTime</valueName><value>${time}</value></parameter>
<area><areaDesc>bench</areaDesc><circle>${lat},${lon} 0</circle></area></info></alert>`;

const cenc = (lon: number, lat: number, mag: number, day: number) =>
  `中国地震台网正式测定：2025年03月${String(day).padStart(2, '0')}日08时02分在四川（北纬${lat.toFixed(2)}度，东经${lon.toFixed(2)}度）发生${mag}级地震，震源深度13千米。`;

const s = await startTestServer({ demo: true });
try {
  const admin = await Client.login(s.url, 'admin', s.adminPassword);
  const token = (await admin.post('/api/v1/tokens', { name: 'bench feed', regionCode: '000000' })).body.token as string;
  const feed = new Client(s.url);
  const send = (body: string, type: string) => feed.request('POST', PATH, body, { authorization: `Bearer ${token}`, 'content-type': type });
  const times: Record<string, number[]> = { cap: [], json: [], 'cenc-text': [], duplicate: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Distinct earthquakes (days apart, so none joins another's thread) across western China.
    const lon = 98 + i * 0.9, lat = 28 + i * 0.7;
    const bodies: [keyof typeof times, string, string][] = [
      ['cap', cap(`B-${i}`, lon, lat, 6.5, `2024-0${1 + (i % 9)}-10T10:00:00+08:00`), 'application/cap+xml'],
      ['json', JSON.stringify({ source: 'bench', eventId: `J-${i}`, time: `2023-0${1 + (i % 9)}-10T10:00:00+08:00`, lon: lon + 0.3, lat: lat + 0.2, depthKm: 10, magnitude: 7.0 }), 'application/json'],
      ['cenc-text', cenc(lon - 0.3, lat - 0.2, 6.8, 1 + i * 3), 'text/plain'],
    ];
    for (const [kind, body, type] of bodies) {
      const t = performance.now();
      const res = await send(body, type);
      times[kind].push(performance.now() - t);
      if (res.status !== 201 || res.body.accepted[0]?.outcome !== 'assessed') throw new Error(`${kind}: ${res.status} ${res.text}`);
      const again = performance.now();
      const dup = await send(body, type);
      times.duplicate.push(performance.now() - again);
      if (!dup.body.accepted[0]?.duplicate) throw new Error(`${kind}: repeat not recognised`);
    }
  }
  for (const [kind, list] of Object.entries(times)) {
    const p = percentiles(list);
    console.log(`${kind.padEnd(10)} report → stored assessment, ${list.length} reports: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  max ${ms(p.max)}`);
  }

  // Inventory upload: 100,000 buildings of 泸定县 as CSV, county given per row.
  const rows = 100_000;
  const lines = ['lon,lat,class,floors,floor_area_m2,occupants_day,occupants_night,region_code'];
  for (let i = 0; i < rows; i++) lines.push(`${(102.1 + (i % 997) / 10000).toFixed(5)},${(29.6 + (i % 991) / 10000).toFixed(5)},${['A1', 'B', 'C', 'D', 'E'][i % 5]},${1 + (i % 6)},${100 + (i % 400)},${i % 9},${1 + (i % 7)},513322`);
  const csv = lines.join('\n');
  const t = performance.now();
  const up = await admin.request('POST', '/api/v1/assessments/earthquake/inventories?name=bench', csv, { 'content-type': 'text/csv' });
  const upSeconds = (performance.now() - t) / 1000;
  if (up.status !== 201) throw new Error(`upload: ${up.status} ${up.text.slice(0, 300)}`);
  console.log(`inventory upload ${rows.toLocaleString('en')} rows (${mib(csv.length)}): ${upSeconds.toFixed(2)} s, ${Math.round(rows / upSeconds).toLocaleString('en')} rows/s`);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const a = performance.now();
    const run = await admin.post('/api/v1/assessments/earthquake', { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8 - i * 0.1, inventoryId: up.body.id });
    runs.push(performance.now() - a);
    if (run.status !== 201) throw new Error(`assess inventory: ${run.status}`);
  }
  const r = percentiles(runs);
  console.log(`assessment over it (in the request), 5 runs: first ${ms(runs[0])}, p50 ${ms(r.p50)}`);
  console.log(`rss ${mib(process.memoryUsage().rss)}`);
} finally {
  await s.close();
}
