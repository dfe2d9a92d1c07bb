import { canonicalJson } from '@anlan/core';
import type { Rule } from './types.ts';
import { validateRules, type RuleIssue } from './validate.ts';

/** A validated, frozen set of rules. Engines hold one at a time and swap it whole. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  get(id: string): Rule | undefined;
}

export class RuleSetError extends Error {
  constructor(readonly errors: RuleIssue[]) {
    super(`invalid rule set: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validates and freezes; the result is null when there is any error. */
export function parseRuleSet(json: unknown): { ruleSet: RuleSet | null; errors: RuleIssue[] } {
  const { rules, errors } = validateRules(json);
  if (errors.length > 0) return { ruleSet: null, errors };
  const frozen = deepFreeze(rules);
  const byId = new Map(frozen.map((r) => [r.id, r]));
  return { ruleSet: Object.freeze({ rules: frozen, get: (id: string) => byId.get(id) }), errors };
}

/** Like parseRuleSet, but throws: for rule sets that are known good (tests, seeds, benchmarks). */
export function createRuleSet(json: unknown): RuleSet {
  const { ruleSet, errors } = parseRuleSet(json);
  if (!ruleSet) throw new RuleSetError(errors);
  return ruleSet;
}

/**
 * What decides whether evaluation state survives a rule-set swap: everything except the
 * version and the wording. A renamed rule keeps its state; a changed threshold starts afresh.
 */
export function definitionKey(rule: Rule): string {
  return canonicalJson({ ...rule, version: undefined, name: undefined, description: undefined, unit: undefined });
}
