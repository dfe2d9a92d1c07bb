// Micro-benchmark (not a test): node --import tsx packages/quake/src/assess/assess.bench.ts [rows]
import { assess } from './assess.ts';
import { syntheticExposure } from './synthetic.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const event = { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229, time: '2008-05-12T06:28:01Z' };
let t = performance.now();
const exposure = syntheticExposure({ lon: event.lon, lat: event.lat, count: rows, halfSizeDeg: 4, grid: 40 });
console.log(`built ${rows.toLocaleString()} rows in ${((performance.now() - t) / 1000).toFixed(2)} s`);

let buildings = 0;
for (let i = 0; i < rows; i++) buildings += exposure.buildings[i];
const times: number[] = [];
let result = assess(event, exposure);
for (let run = 0; run < 5; run++) {
  t = performance.now();
  result = assess(event, exposure);
  times.push((performance.now() - t) / 1000);
}
times.sort((a, b) => a - b);
const median = times[2];
console.log(`assess: median ${median.toFixed(3)} s over 5 runs (min ${times[0].toFixed(3)}, max ${times[4].toFixed(3)})`);
console.log(`${Math.round(rows / median).toLocaleString()} rows/s, ${Math.round(buildings / median).toLocaleString()} buildings/s (${Math.round(buildings).toLocaleString()} buildings)`);
console.log(`deaths median ${Math.round(result.deaths.median)}, regions ${result.regions.length}, max I ${result.maxIntensity.toFixed(2)}`);
