/** The 2022-09-05 泸定 Ms 6.8 earthquake (CENC parameters, 鲜水河 strike): the demo county's own event. */
export const LUDING_2022 = { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 160, time: '2022-09-05T12:52:18+08:00' } as const;
