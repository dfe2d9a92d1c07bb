/**
 * "Create a warning from this alarm" (由报警生成预警): a draft pre-filled from a monitoring alarm,
 * read through the monitoring module's own services (never its tables). The area is the point's
 * township when the point is registered in one, else a circle around the point; the event comes
 * from what was measured (rain → 暴雨, water level → 洪水, displacement and cracks → 地质灾害…);
 * the level is the alarm's. Nothing is stored: the compose screen shows the draft to be checked.
 */
import { NotFoundError, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import { LEVEL_NAMES, type WarningLevel } from '@anlan/cap';
import { getPoint, getSensor } from '../../monitoring/service.ts';
import type { Alarm } from '../../monitoring/alarms/service.ts';
import type { WarningAreaInput } from '../contracts.ts';
import { eventTypeOf, type DraftInput } from './draft.ts';
import { issuerName } from './service.ts';
import * as store from './store.ts';

/** The event of the national vocabulary a sensor type's alarm warns of; absent: none fits. */
const EVENT_OF_SENSOR: Record<string, string> = {
  rainfall: 'rainstorm',
  water_level_river: 'flood',
  water_level_reservoir: 'flood',
  gnss_displacement: 'geohazard',
  crack_width: 'geohazard',
  // A tailings dam that seeps or whose saturation line rises threatens a debris flow downstream.
  tailings_saturation_line: 'geohazard',
  tailings_seepage: 'geohazard',
  wind_speed: 'gale',
};

/** When the sensor says nothing (an area alarm, a custom sensor), the kind of point does. */
const EVENT_OF_POINT: Record<string, string> = {
  rain_gauge: 'rainstorm',
  hydrological_station: 'flood',
  reservoir: 'flood',
  landslide: 'geohazard',
  tailings_pond: 'geohazard',
  weather_station: 'gale',
};

/** How far around the point the warning reaches when there is no township to name (km). */
const RADIUS_KM: Record<string, number> = { rainstorm: 5, flood: 3, geohazard: 1, gale: 10 };
const DEFAULT_RADIUS_KM = 3;

/** What to do, by event: the first lines of the national defence guidelines, for the drafter to adapt. */
const INSTRUCTIONS: Record<string, string> = {
  rainstorm: '各乡镇、村（社区）落实包保责任人，危险区域人员及时转移；停止户外作业，远离河道、沟谷和边坡。',
  flood: '沿河低洼地带人员立即转移到安全地带；停止河道内作业，禁止涉水通行。',
  geohazard: '隐患点受威胁群众立即撤离，加密巡查，群测群防员24小时值守；发现险情立即上报。',
  gale: '停止高空和户外作业，加固临时搭建物，人员避免在大树、广告牌下停留。',
};
const DEFAULT_INSTRUCTION = '相关单位和人员做好防范应对，注意收听后续预警信息。';

export interface AlarmDraft {
  /** The fields to draft with (POST /api/v1/warnings accepts them as they are, once an event is chosen). */
  input: DraftInput;
  alarm: Pick<Alarm, 'id' | 'level' | 'maxLevel' | 'state' | 'message' | 'pointId' | 'pointName' | 'sensorCode' | 'regionCode' | 'regionName' | 'raisedAt'>;
  /** What the drafter should know: no event fits, the level was raised to the event's lowest… */
  notes: string[];
}

export interface AlarmDraftDeps {
  db: Database;
  alarms: { get(scope: RegionScope, id: number): Promise<Alarm> };
  clock: { now(): Date };
}

/** The township of a point's region code, when the point is registered in one (or in a village of one). */
function townshipOf(code: string): string | null {
  if (code.length === 9) return code;
  if (code.length === 12) return code.slice(0, 9);
  return null;
}

export async function draftFromAlarm(deps: AlarmDraftDeps, scope: RegionScope, alarmId: number): Promise<AlarmDraft> {
  const alarm = await deps.alarms.get(scope, alarmId);
  const notes: string[] = [];
  const sensor = alarm.sensorId !== null ? await getSensor(deps, scope, alarm.sensorId).catch(() => null) : null;
  const point = alarm.pointId !== null ? await getPoint(deps, scope, alarm.pointId).catch(() => null) : null;
  if (alarm.pointId !== null && !point) throw new NotFoundError(`Monitoring point ${alarm.pointId} of alarm ${alarmId}`);

  const eventKey = (sensor && EVENT_OF_SENSOR[sensor.type]) ?? (point && EVENT_OF_POINT[point.type]) ?? null;
  const type = eventKey ? eventTypeOf(eventKey) : undefined;
  if (!type) notes.push(`没有与“${sensor?.typeName ?? point?.typeName ?? alarm.ruleName ?? '该报警'}”对应的国家预警信号类型，请选择预警类型 (no event type of the national vocabulary fits this alarm: choose one)`);

  let level: WarningLevel = alarm.level;
  if (type && !type.levels.includes(level)) {
    const higher = type.levels.find((l) => ['blue', 'yellow', 'orange', 'red'].indexOf(l) >= ['blue', 'yellow', 'orange', 'red'].indexOf(level)) ?? type.levels[type.levels.length - 1];
    notes.push(`${type.zh}预警没有${LEVEL_NAMES[level].zh}等级，已改为${LEVEL_NAMES[higher].zh} (${type.key} has no ${level} level)`);
    level = higher;
  }

  let areas: WarningAreaInput[];
  const township = point ? townshipOf(point.regionCode) : null;
  if (township) areas = [{ regionCode: township }];
  else if (point) {
    const radiusKm = (eventKey ? RADIUS_KM[eventKey] : undefined) ?? DEFAULT_RADIUS_KM;
    areas = [{ circle: { lon: point.lon, lat: point.lat, radiusKm }, label: `${point.name}周边${radiusKm}公里` }];
    notes.push(`监测点登记在县级行政区，预警范围取监测点周边 ${radiusKm} 公里，请按实际影响范围调整 (a circle of ${radiusKm} km around the point; adjust it)`);
  } else areas = [{ regionCode: alarm.regionCode }];

  const county = alarm.regionCode.slice(0, 6);
  const names = await store.regionNames(deps.db, [county, ...(township ? [township] : [])]);
  const countyName = names.get(county) ?? '';
  const eventName = type?.zh ?? '';
  const now = deps.clock.now();
  const hours = 6;
  return {
    input: {
      ...(type ? { event: type.key } : {}),
      level,
      stage: 'forecast',
      headline: `${countyName}${township ? (names.get(township) ?? '') : ''}${eventName}${LEVEL_NAMES[level].zh}预警`,
      description: `${await issuerName(deps.db, alarm.regionCode)}根据监测报警：${point ? point.name : ''}${alarm.message}${alarm.level !== alarm.maxLevel ? `（最高达${LEVEL_NAMES[alarm.maxLevel].zh}）` : ''}。`,
      instruction: (eventKey ? INSTRUCTIONS[eventKey] : undefined) ?? DEFAULT_INSTRUCTION,
      areas,
      expires: new Date(now.getTime() + hours * 3_600_000).toISOString(),
      sourceAlarmId: alarm.id,
    },
    alarm: {
      id: alarm.id, level: alarm.level, maxLevel: alarm.maxLevel, state: alarm.state, message: alarm.message, pointId: alarm.pointId, pointName: alarm.pointName,
      sensorCode: alarm.sensorCode, regionCode: alarm.regionCode, regionName: alarm.regionName, raisedAt: alarm.raisedAt,
    },
    notes,
  };
}
