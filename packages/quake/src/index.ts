/**
 * @anlan/quake: earthquake rapid assessment — intensity field, damage, losses, casualties —
 * as pure functions over columnar exposure. No database, no server.
 */
export * from './types.ts';
export { parseEvent, type EventFieldError, type RawEventInput } from './event.ts';
export { assess, assessRange, summarize, resolveAttenuationRegion, createAccumulators, mergeAccumulators, type AssessmentResult, type RegionResult, type AssessOptions } from './assess/assess.ts';
export { isoseismalAxes, epicentralIntensity, intensityField } from './hazard/attenuation.ts';
export { intensityContours, areaKm2ByIntensity, INTENSITY_BANDS, type ContourCollection } from './hazard/contours.ts';
export { loadNationalExposure, bboxAround, readInventory, parseInventory, readExposureCache, writeExposureCache, type InventoryError } from './exposure/index.ts';
export { exposureRadiusKm } from './exposure-radius.ts';
export { affectedRegions } from './report.ts';
export { parseEarthquakeReports, type EarthquakeReport, type ReportError, type ReportFormat, type ReportMsgType, type ReportStatus } from './report/earthquake-report.ts';
export { parseCencText, type CencReport } from './report/cenc-text.ts';
export { createAssessPool, toSharedExposure, readExposureCacheShared, isSharedExposure, type AssessPool, type AssessPoolOptions } from './parallel/pool.ts';
