export * from './types.ts';
export { parseCap, parseCapReferences, isCapDateTime, isUri } from './parse.ts';
export { writeCap, checkCap, CapWriteError, formatCapDateTime, formatCapNumber, capReferences } from './write.ts';
export {
  WARNING_LEVELS, WARNING_STAGES, WARNING_EVENT_TYPES, LEVEL_NAMES,
  findEventType, levelToCap, capToLevel, parseLevel, levelEventCode, severityRank,
  type WarningLevel, type WarningStage, type WarningEventType,
} from './vocabulary.ts';
