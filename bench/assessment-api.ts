// Earthquake assessment through the API on the embedded database: POST (run and store) and GET
// (fetch with contours) latency for the four calibration events, sequentially.
import { startTestServer } from '../tests/helpers/server.ts';
import { Client } from '../tests/helpers/http.ts';
import { percentiles, ms, mib } from './stats.ts';

const EVENTS = [
  { name: '汶川', lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229 },
  { name: '玉树', lon: 96.7, lat: 33.1, depthKm: 14, magnitude: 7.1, strikeDeg: 300 },
  { name: '芦山', lon: 103.0, lat: 30.3, depthKm: 13, magnitude: 7.0, strikeDeg: 212 },
  { name: '泸定', lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 160 },
];
const ROUNDS = 5;

const s = await startTestServer({ demo: true });
try {
  const admin = await Client.login(s.url, 'admin', s.adminPassword);
  const post: number[] = [];
  const get: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const e of EVENTS) {
      let t = performance.now();
      const res = await admin.post('/api/v1/assessments/earthquake', e);
      post.push(performance.now() - t);
      if (res.status !== 201) throw new Error(`${e.name}: ${res.status} ${res.text}`);
      t = performance.now();
      const got = await admin.get(`/api/v1/assessments/earthquake/${res.body.id}`);
      get.push(performance.now() - t);
      if (got.status !== 200) throw new Error(`GET ${res.body.id}: ${got.status}`);
    }
  }
  const p = percentiles(post);
  const g = percentiles(get);
  console.log(`POST /assessments/earthquake (run + store), ${post.length} runs: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  max ${ms(p.max)}`);
  console.log(`GET  /assessments/earthquake/:id (with contours and counties):  p50 ${ms(g.p50)}  p95 ${ms(g.p95)}  max ${ms(g.max)}`);
  console.log(`rss ${mib(process.memoryUsage().rss)}`);
} finally {
  await s.close();
}
