import type { LevelMachine } from './level-machine.ts';
import { LEVEL_NAMES, levelOfCode, type Direction } from './types.ts';

// Alarm texts are what a duty officer reads on the screen and in an SMS, so they are Chinese,
// name the sensor first and always state the value and the threshold that was crossed.

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const rounded = Math.round(v * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

const levelName = (code: number) => LEVEL_NAMES[levelOfCode(code)!];

export function formatDuration(sec: number): string {
  if (sec % 86400 === 0 && sec >= 86400) return `${sec / 86400}天`;
  if (sec % 3600 === 0 && sec >= 3600) return `${sec / 3600}小时`;
  if (sec % 60 === 0 && sec >= 60) return `${sec / 60}分钟`;
  return `${formatNumber(sec)}秒`;
}

/** A measured span (how long a sensor was silent), rounded down to what a reader cares about. */
export function formatSpan(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分钟`;
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)}小时${m ? `${m}分钟` : ''}`;
  }
  const h = Math.floor((s % 86400) / 3600);
  return `${Math.floor(s / 86400)}天${h ? `${h}小时` : ''}`;
}

export function withUnit(v: number, unit: string | undefined): string {
  return unit ? `${formatNumber(v)} ${unit}` : formatNumber(v);
}

/** The message for a level change of a threshold, accumulation or rate rule. */
export function levelMessage(
  subject: string,
  label: string,
  unit: string | undefined,
  direction: Direction,
  machine: LevelMachine,
  previous: number,
  current: number,
  value: number,
): string {
  const head = `${subject} ${label} ${withUnit(value, unit)}`;
  if (current > previous) {
    const crossed = `${direction === 'above' ? '超过' : '低于'}${levelName(current)}阈值 ${withUnit(machine.enterValue(current), unit)}`;
    return previous === 0 ? `${head}，${crossed}` : `${head}，${crossed}（原为${levelName(previous)}）`;
  }
  const left = machine.lowestAbove(current);
  const back = `${direction === 'above' ? '低于' : '高于'}${levelName(left)}解除值 ${withUnit(machine.exitValue(left), unit)}`;
  return current === 0 ? `${head}，${back}，报警解除` : `${head}，${back}，降为${levelName(current)}`;
}

export function offlineRaisedMessage(subject: string, silentSec: number, intervals: number, intervalSec: number): string {
  return `${subject} 已 ${formatSpan(silentSec)}无数据（超过 ${intervals} 个上报周期 × ${formatDuration(intervalSec)}），判定离线`;
}

export function offlineClearedMessage(subject: string, silentSec: number): string {
  return `${subject} 恢复上报（中断 ${formatSpan(silentSec)}），离线报警解除`;
}

export function ruleChangedMessage(subject: string, ruleId: string, reason: 'rule_changed' | 'rule_removed' | 'sensor_unbound'): string {
  const why = reason === 'rule_changed' ? '已修改' : reason === 'rule_removed' ? '已删除或停用' : '不再适用于该传感器';
  return `${subject} 规则 ${ruleId} ${why}，报警关闭`;
}
