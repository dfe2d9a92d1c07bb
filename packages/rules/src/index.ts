/**
 * @anlan/rules: the monitoring rule model (thresholds, accumulation windows, rates, offline
 * detection, disaster-chain composites) and its incremental evaluator. Pure: no database, no
 * server, no timers.
 */
export * from './types.ts';
export { validateRules, type RuleIssue, type ValidationResult } from './validate.ts';
export { parseRuleSet, createRuleSet, definitionKey, RuleSetError, type RuleSet } from './rule-set.ts';
export { createEngine, type Engine, type EngineOptions, type EngineStats } from './engine.ts';
export { SNAPSHOT_FORMAT, type EngineSnapshot } from './snapshot.ts';
