// The vocabulary of the monitoring screens: warning colours (蓝/黄/橙/红, as on Chinese warning
// signals), what the map draws for each point state, who may act on alarms, quarantine reasons.
import { session } from '../session';
import type { AlarmState, PointState, QuarantineReason, Role, RuleKind, WarningLevel } from '../types';

export const LEVELS: readonly WarningLevel[] = ['blue', 'yellow', 'orange', 'red'];

export const LEVEL_COLOURS: Readonly<Record<WarningLevel, string>> = {
  blue: '#1f6fd1',
  yellow: '#f2c200',
  orange: '#f07c00',
  red: '#d0021b',
};

export const STATE_COLOURS: Readonly<Record<PointState, string>> = {
  normal: '#2e9d5b',
  ...LEVEL_COLOURS,
  offline: '#7d8590',
  no_data: '#d5dae1',
};

/** How bad a state is, for "worst state inside a cluster": any alarm outranks a device fault. */
export const STATE_RANK: Readonly<Record<PointState, number>> = {
  normal: 0,
  no_data: 1,
  offline: 2,
  blue: 3,
  yellow: 4,
  orange: 5,
  red: 6,
};

/** Worst first: the legend's order. */
export const STATES_WORST_FIRST: readonly PointState[] = ['red', 'orange', 'yellow', 'blue', 'offline', 'no_data', 'normal'];

export const ALARM_STATES: readonly AlarmState[] = ['raised', 'acknowledged', 'handled', 'cleared'];

export const RULE_KINDS: readonly RuleKind[] = ['threshold', 'accumulation', 'rate', 'offline', 'composite'];

export const QUARANTINE_REASONS: readonly QuarantineReason[] = [
  'malformed',
  'unknown_sensor',
  'not_in_scope',
  'sensor_disabled',
  'invalid_value',
  'out_of_range',
  'invalid_timestamp',
  'future_timestamp',
  'too_old',
  'duplicate',
];

/** Roles that acknowledge, handle and clear alarms, edit rules and the registry. */
export const ACT_ROLES: readonly Role[] = ['admin', 'commander', 'duty'];

export function canAct(): boolean {
  const role = session.user?.role;
  return !!role && ACT_ROLES.includes(role);
}

/** Roles that write monitoring rules (the server's RULE_WRITERS). */
export const RULE_ROLES: readonly Role[] = ['admin', 'commander'];

export function canEditRules(): boolean {
  const role = session.user?.role;
  return !!role && RULE_ROLES.includes(role);
}

export function isLevel(v: unknown): v is WarningLevel {
  return typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
}

/** Text colour that stays readable on a level's colour (yellow needs dark text). */
export function textOn(colour: string): string {
  return colour === LEVEL_COLOURS.yellow || colour === STATE_COLOURS.no_data ? '#303133' : '#ffffff';
}

/** Severe alarms make a sound and count on the menu badge until someone acknowledges them. */
export function isSevere(level: WarningLevel | null | undefined): boolean {
  return level === 'red' || level === 'orange';
}
