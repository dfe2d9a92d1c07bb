export { loadNationalExposure, loadNationalCounties, bboxAround, EXPOSURE_DATA_DIR, type BBox, type CountyRecord, type CountiesFile, type NationalExposureOptions } from './national.ts';
export { readInventory, parseInventory, writeExposureCache, readExposureCache, parseStructureClass, parseCsv, emptyExposure, type InventoryError, type InventoryResult, type ParseInventoryOptions } from './inventory.ts';
export { RegionLocator, readCountyOutlinesSync, gridCellsInside, pointInMultiPolygon, haversineKm } from './geo.ts';
