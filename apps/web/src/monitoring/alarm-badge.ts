// The menu badge: severe (red and orange) alarms nobody has acknowledged yet, in the user's region,
// kept current from the event stream on every page, with a beep when a new one arrives.
import { computed, reactive } from 'vue';
import { ApiError } from '../api';
import { monitoringApi } from './api';
import { isSevere } from './levels';
import { beep } from './sound';
import type { Alarm, WarningLevel } from '../types';

const LIMIT = 500;
const unacked = reactive(new Map<number, WarningLevel>());

export const severeUnacked = computed(() => unacked.size);
export const severeUnackedRed = computed(() => [...unacked.values()].filter((l) => l === 'red').length);

let seq = 0;
export async function refreshAlarmBadge(): Promise<void> {
  const mine = ++seq;
  try {
    const [red, orange] = await Promise.all([
      monitoringApi.alarms({ state: 'raised', level: 'red', limit: LIMIT }),
      monitoringApi.alarms({ state: 'raised', level: 'orange', limit: LIMIT }),
    ]);
    if (mine !== seq) return;
    unacked.clear();
    for (const a of [...red.items, ...orange.items]) if (a.state === 'raised' && isSevere(a.level)) unacked.set(a.id, a.level);
  } catch (e) {
    if (mine !== seq) return;
    // A server without the alarms API (404) or a role without access: no badge.
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) unacked.clear();
    // network errors: keep what is shown; the next event or refresh corrects it
  }
}

const LEVEL_ORDER: WarningLevel[] = ['blue', 'yellow', 'orange', 'red'];

/** An alarm event from the stream: update the count, and beep when a severe alarm is new or got worse. */
export function onAlarmEvent(type: string, a: Alarm): void {
  const before = unacked.get(a.id);
  if (a.state === 'raised' && isSevere(a.level)) unacked.set(a.id, a.level);
  else unacked.delete(a.id);
  const worse = before === undefined || LEVEL_ORDER.indexOf(a.level) > LEVEL_ORDER.indexOf(before);
  if ((type === 'alarm.raised' || type === 'alarm.level_changed') && a.state === 'raised' && isSevere(a.level) && worse) beep(a.level);
}
