// API latency and throughput on the embedded database: the calls the region page makes, from
// 16 concurrent clients for a fixed number of requests each. Prints p50/p95/p99 per route.
import { startTestServer } from '../tests/helpers/server.ts';
import { Client } from '../tests/helpers/http.ts';
import { percentiles, ms, mib } from './stats.ts';

const CONCURRENCY = 16;
const PER_CLIENT = 50;

const s = await startTestServer();
try {
  const admin = await Client.login(s.url, 'admin', s.adminPassword);
  const scoped = await Client.login(s.url, 'ld-duty', s.demoPassword);
  const routes: [string, Client, string][] = [
    ['GET /regions/:code (national)', admin, '/api/v1/regions/513322'],
    ['GET /regions/:code/children (31 provinces)', admin, '/api/v1/regions/000000/children'],
    ['GET /regions/:code/boundaries 34 provinces detail 0', admin, '/api/v1/regions/000000/boundaries?detail=0&include=children'],
    ['GET /regions/:code/boundaries 甘孜州 detail 1', admin, '/api/v1/regions/513300/boundaries?detail=1&include=both'],
    ['GET /regions/:code/boundaries 泸定县 detail 2 (scoped user)', scoped, '/api/v1/regions/513322/boundaries?detail=2&include=both'],
    ['GET /users', admin, '/api/v1/users'],
    ['GET /audit?limit=50', admin, '/api/v1/audit?limit=50'],
  ];
  console.log(`embedded database, ${CONCURRENCY} concurrent clients × ${PER_CLIENT} requests per route`);
  for (const [label, client, path] of routes) {
    const samples: number[] = [];
    let bytes = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < PER_CLIENT; i++) {
          const start = performance.now();
          const res = await client.get(path);
          samples.push(performance.now() - start);
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          bytes = res.text.length;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const p = percentiles(samples);
    console.log(`${label.padEnd(58)} ${(samples.length / seconds).toFixed(0).padStart(6)} req/s  p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  p99 ${ms(p.p99)}  (${(bytes / 1024).toFixed(0)} KiB)`);
  }
  console.log(`rss ${mib(process.memoryUsage().rss)}`);
} finally {
  await s.close();
}
