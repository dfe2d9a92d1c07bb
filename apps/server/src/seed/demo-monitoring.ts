/**
 * The demo monitoring network of 泸定县 (513322): 22 points and 45 sensors in eight of its nine
 * townships, created by the demo seed through the registry's own checks (placement, catalogue,
 * thresholds) and audit entries, like a bureau's data, and labelled 演示数据 in their notes.
 *
 * Places are real (township codes of GB/T 2260, the 大渡河, 泸定水电站, 磨西台地, 湾东), the
 * coordinates are indicative positions inside each township, not surveyed sites. The monitoring
 * itself is invented. Where a threshold belongs to the site and the real value is not public
 * (a river's 警戒水位, a reservoir's 汛限水位, a slope's displacement limits), the number here is a
 * plausible demo value and the sensor's notes say so; where a standard fixes it, the standard is
 * named. The `sim` of each sensor tells the simulator (monitoring/simulator) how it behaves.
 */
import { ValidationError, regionScope, NATIONAL_SCOPE, type Clock } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../caller.ts';
import type { BusEvent } from '../events/bus.ts';
import type { AccumulationThreshold, PointTypeKey, Thresholds, WatchesKind } from '../monitoring/catalogue.ts';
import { PlacementChecker } from '../monitoring/placement.ts';
import { pointRecordOf, preparePoint, prepareSensor, sensorRecordOf } from '../monitoring/service.ts';
import * as store from '../monitoring/store.ts';
import type { SimSpec } from '../monitoring/simulator/models.ts';
import { deleteSetting, readSetting, writeSetting } from '../system/settings.ts';

/** The demo county (demo.ts's DEMO_COUNTY; not imported, as demo.ts imports this file). */
const COUNTY = '513322';
export const DEMO_NETWORK_SETTING = 'demo_monitoring';
/** Who created the network in the audit log and the registry's "created by". */
export const DEMO_ACTOR: Actor = { id: null, name: 'system:demo', ip: null };
const LABEL = '【演示数据】';

export const TOWNSHIPS = {
  泸桥镇: '513322100',
  冷碛镇: '513322101',
  兴隆镇: '513322102',
  磨西镇: '513322103',
  燕子沟镇: '513322104',
  得妥镇: '513322105',
  烹坝镇: '513322106',
  岚安乡: '513322200',
} as const;

export interface DemoSensorDef {
  code: string;
  type: string;
  quantity?: string;
  unit?: string;
  samplingIntervalSec?: number;
  rangeMin?: number;
  rangeMax?: number;
  thresholds?: Thresholds;
  accumulation?: AccumulationThreshold[];
  notes: string;
  sim: SimSpec;
}

export interface DemoPointDef {
  name: string;
  type: PointTypeKey;
  regionCode: string;
  lon: number;
  lat: number;
  ownerUnit: string;
  watchesKind?: WatchesKind;
  watchesName?: string;
  notes: string;
  sensors: DemoSensorDef[];
}

const H = 3600;

// A rain sensor's own windows are evaluated beside the catalogue's type rules (短时强降水 1 h 蓝 20,
// the rainstorm signals over 3–24 h), which apply to every rainfall sensor: repeating those here
// would alarm twice. So the gauges carry only the site's 1 h levels on top of them.

/** Township flash-flood gauges (山洪灾害监测): 黄/橙/红 stand for a county's 准备转移 / 立即转移 levels (demo values). */
const TOWN_RAIN: AccumulationThreshold[] = [{ windowSec: 1 * H, yellow: 25, orange: 35, red: 50 }];
const TOWN_RAIN_NOTE = '本站 1 h 阈值：黄 25 / 橙 35 / 红 50 mm，代表县级山洪灾害准备转移、立即转移指标（演示值，实际取自县山洪灾害防御预案）；1 h 蓝 20 mm（短时强降水）及 3–24 h 暴雨阈值由目录类型规则判定。';

/** Rain gauges on landslides: lower 1 h levels, as slopes loosened by the 2022 earthquake fail under less rain (demo values). */
const SLOPE_RAIN: AccumulationThreshold[] = [{ windowSec: 1 * H, blue: 15, yellow: 20, orange: 30, red: 40 }];
const SLOPE_RAIN_NOTE = '本站 1 h 阈值：蓝 15 / 黄 20 / 橙 30 / 红 40 mm，震后地质灾害临界雨量（演示值，实际按隐患点监测设计）；目录类型规则同时适用。';

function rainGauge(code: string, stormOrder: number, notes = ''): DemoSensorDef {
  // One-minute rain (分钟雨量) rather than the usual 5 min, so the demo's storm shows in minutes.
  return { code, type: 'rainfall', samplingIntervalSec: 60, accumulation: TOWN_RAIN, notes: `${LABEL}翻斗式雨量计，分钟雨量。${notes}${TOWN_RAIN_NOTE}`, sim: { kind: 'rain', stormOrder } };
}

function slopeRainGauge(code: string): DemoSensorDef {
  return { code, type: 'rainfall', accumulation: SLOPE_RAIN, notes: `${LABEL}隐患点雨量计。${SLOPE_RAIN_NOTE}`, sim: { kind: 'rain' } };
}

function gnss(code: string, where: string, base: number, perDay: number, levels: [number, number, number, number]): DemoSensorDef {
  const [blue, yellow, orange, red] = levels;
  return {
    code, type: 'gnss_displacement', thresholds: { direction: 'above', blue, yellow, orange, red },
    notes: `${LABEL}${where} GNSS 监测墩，累计水平位移。注意/警示/警戒/警报值 ${levels.join('/')} mm 为演示值（实际按 DZ/T 0221-2006 由监测设计确定）。`,
    sim: { kind: 'gnss', base, perDay },
  };
}

function crack(code: string, where: string, base: number, perDay: number, levels: [number, number, number, number]): DemoSensorDef {
  const [blue, yellow, orange, red] = levels;
  return {
    code, type: 'crack_width', thresholds: { direction: 'above', blue, yellow, orange, red },
    notes: `${LABEL}${where}拉线式裂缝计。注意/警示/警戒/警报值 ${levels.join('/')} mm 为演示值（实际按监测设计）。`,
    sim: { kind: 'crack', base, perDay },
  };
}

function slopePoint(name: string, regionCode: string, lon: number, lat: number, notes: string, sensors: DemoSensorDef[]): DemoPointDef {
  return { name, type: 'landslide', regionCode, lon, lat, ownerUnit: '泸定县自然资源局', watchesKind: 'slope', watchesName: name.replace(/隐患点$/, ''), notes: `${LABEL}${notes}`, sensors };
}

// Combustible gas: catalogue thresholds (GB/T 50493-2019 一级 25 / 二级 50 %LEL).
function gasDetector(code: string, where: string, leakOrder?: number): DemoSensorDef {
  return { code, type: 'gas_combustible', notes: `${LABEL}${where}催化燃烧式可燃气体探测器；黄 25 / 红 50 %LEL 为目录默认（GB/T 50493-2019）。`, sim: { kind: 'gas', leakOrder } };
}

// Underground petrol tank, horizontal, φ2.6 m (30 m³). GB 50156-2021: high-level alarm at 90 % of
// the tank's volume, stop at 95 %; for that cylinder those volumes stand at 2.19 m and 2.35 m.
function tankLevel(code: string, product: string, full: number, deliveryHour: number, dayRate: number, nightRate: number): DemoSensorDef {
  return {
    code, type: 'tank_level', rangeMin: 0, rangeMax: 3, thresholds: { direction: 'above', yellow: 2.19, red: 2.35 },
    notes: `${LABEL}${product}罐（卧式 φ2.6 m，30 m³）磁致伸缩液位计。黄 2.19 m、红 2.35 m 为 GB 50156-2021 规定的 90 % 高液位报警与 95 % 停止进油对应的液位（按罐径计算）。`,
    sim: { kind: 'tank_level', full, deliveryHour, dayRate, nightRate },
  };
}

export const DEMO_NETWORK: readonly DemoPointDef[] = [
  // ---- 泸桥镇: the county town on the 大渡河 ----
  {
    name: '泸桥镇城区雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2352, lat: 29.9186, ownerUnit: '泸定县水利局',
    notes: `${LABEL}县城山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-001', 0)],
  },
  {
    name: '泸定水文站', type: 'hydrological_station', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2338, lat: 29.9128, ownerUnit: '水文部门', watchesKind: 'river', watchesName: '大渡河',
    notes: `${LABEL}大渡河泸定站，泸定桥下游（位置示意）；受上游 2.5 km 泸定水电站日调节影响，水位日内起伏。`,
    sensors: [
      {
        code: 'LD-WL-001', type: 'water_level_river', rangeMin: 1295, rangeMax: 1325, thresholds: { direction: 'above', blue: 1310.5, yellow: 1311.0, orange: 1313.0, red: 1314.6 },
        notes: `${LABEL}雷达水位计，1985 国家高程基准。泸定站警戒水位、保证水位及历史最高水位未公开：1311.0 / 1313.0 / 1314.6 m 为演示值，蓝色取警戒水位 − 0.5 m。`,
        sim: { kind: 'river', base: 1306.9, seasonal: 1.3, peaking: 0.35, stormGain: 0.006, catchmentKm: 40, lagMin: 40, widthMin: 20 },
      },
      { code: 'LD-RAIN-002', type: 'rainfall', notes: `${LABEL}水文站雨量计，5 分钟雨量；阈值为目录默认。`, sim: { kind: 'rain' } },
    ],
  },
  {
    name: '泸定县气象观测站', type: 'weather_station', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2286, lat: 29.9221, ownerUnit: '泸定县气象局',
    notes: `${LABEL}县城自动气象站（位置示意）。`,
    sensors: [
      { code: 'LD-RAIN-003', type: 'rainfall', samplingIntervalSec: 60, notes: `${LABEL}气象站雨量，分钟雨量；阈值为目录默认（气象标准）。`, sim: { kind: 'rain' } },
      { code: 'LD-WIND-001', type: 'wind_speed', notes: `${LABEL}10 m 风杆，2 分钟平均风速；阈值为目录默认（大风预警信号）。`, sim: { kind: 'wind', exposure: 1, gust: 0.65 } },
      {
        code: 'LD-TEMP-001', type: 'other', quantity: 'air_temperature', unit: '°C', samplingIntervalSec: 60, rangeMin: -30, rangeMax: 50,
        thresholds: { direction: 'above', yellow: 35, orange: 37, red: 40 },
        notes: `${LABEL}百叶箱气温。黄 35 / 橙 37 / 红 40 °C 取自高温预警信号（中国气象局令第16号），此处用于实测气温。`,
        sim: { kind: 'air_temperature' },
      },
    ],
  },
  {
    name: '泸定水电站大坝', type: 'reservoir', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2262, lat: 29.9368, ownerUnit: '泸定水电站运行单位', watchesKind: 'dam', watchesName: '泸定水电站',
    notes: `${LABEL}大渡河干流泸定水电站，坝址距县城约 2.5 km，正常蓄水位 1378.00 m，日调节（公开资料）；监测数据为虚构。`,
    sensors: [
      {
        code: 'LD-RES-001', type: 'water_level_reservoir', rangeMin: 1340, rangeMax: 1390, thresholds: { direction: 'above', blue: 1378.0, yellow: 1379.5, orange: 1380.8, red: 1382.6 },
        notes: `${LABEL}坝前水位。蓝色取正常蓄水位 1378.00 m（公开资料）；防洪高水位、设计洪水位、校核洪水位 1379.5 / 1380.8 / 1382.6 m 为演示值（实际见水库调度规程）。`,
        sim: { kind: 'reservoir', mean: 1377.0, daily: 0.65 },
      },
      {
        code: 'LD-SEEP-001', type: 'other', quantity: 'seepage_flow', unit: 'L/s', samplingIntervalSec: 600, rangeMin: 0, rangeMax: 100, thresholds: { direction: 'above', yellow: 20, red: 30 },
        notes: `${LABEL}坝后量水堰渗流量。黄 20 / 红 30 L/s 为演示值（实际按大坝设计及历史观测，关注突增与浑浊）。`,
        sim: { kind: 'seepage', base: 10.8, perMetre: 1.1, reservoir: { code: 'LD-RES-001', mean: 1377.0, daily: 0.65 } },
      },
    ],
  },
  {
    name: '泸定大渡河大桥', type: 'bridge', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2297, lat: 29.9246, ownerUnit: '泸定县交通运输局', watchesKind: 'bridge', watchesName: '泸定大渡河大桥',
    notes: `${LABEL}县城跨大渡河公路桥（位置示意），结构健康监测；结构参数按主跨 120 m 连续梁虚构。`,
    sensors: [
      {
        code: 'LD-BR-STR-001', type: 'bridge_strain', thresholds: { direction: 'above', yellow: 300, red: 400 },
        notes: `${LABEL}主跨跨中底板振弦式应变计。黄 300 / 红 400 με 为演示值（实际按 JT/T 1037-2022 由结构设计值确定）。`,
        sim: { kind: 'strain', scale: 1 },
      },
      {
        code: 'LD-BR-STR-002', type: 'bridge_strain', thresholds: { direction: 'above', yellow: 250, red: 340 },
        notes: `${LABEL}主跨 1/4 跨底板应变计。黄 250 / 红 340 με 为演示值。`,
        sim: { kind: 'strain', scale: 0.75 },
      },
      {
        code: 'LD-BR-DEF-001', type: 'bridge_deflection', thresholds: { direction: 'above', yellow: 160, red: 200 },
        notes: `${LABEL}主跨跨中挠度（连通管）。红 200 mm 取 L/600（JTG 3362-2018，主跨按 120 m 虚构），黄为其 80 %。`,
        sim: { kind: 'deflection' },
      },
      { code: 'LD-WIND-002', type: 'wind_speed', notes: `${LABEL}桥面风速仪；阈值为目录默认（大风预警信号）。`, sim: { kind: 'wind', exposure: 1.3, gust: 1 } },
    ],
  },
  {
    name: '泸定县城北加油站', type: 'hazchem_site', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2281, lat: 29.929, ownerUnit: '泸定县城北加油站（虚构）', watchesKind: 'enterprise', watchesName: '泸定县城北加油站',
    notes: `${LABEL}虚构的二级加油站：汽油、柴油埋地卧式罐各一座。`,
    sensors: [
      gasDetector('LD-GAS-001', '卸油口', 0),
      gasDetector('LD-GAS-002', '油罐人孔操作井', 1),
      tankLevel('LD-TANK-001', '92# 汽油', 2.05, 10, 0.055, 0.012),
      tankLevel('LD-TANK-002', '0# 柴油', 1.95, 14, 0.035, 0.008),
      {
        code: 'LD-TANK-T-001', type: 'tank_temperature', thresholds: { direction: 'above', yellow: 40, red: 50 },
        notes: `${LABEL}92# 汽油罐内温度。黄 40 / 红 50 °C 为演示值（实际按工艺设计，AQ 3036-2010）。`,
        sim: { kind: 'tank_temperature', mean: 17.5 },
      },
    ],
  },
  {
    name: '泸定县城区燃气调压站', type: 'gas_pipeline', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2365, lat: 29.9105, ownerUnit: '泸定县城区燃气公司（虚构）', watchesKind: 'pipeline', watchesName: '县城中压燃气管网',
    notes: `${LABEL}中压 A 级（0.2–0.4 MPa）城区燃气管网调压站（虚构）。`,
    sensors: [
      {
        code: 'LD-GASP-001', type: 'pipeline_pressure', thresholds: { direction: 'above', yellow: 0.38, red: 0.4 },
        notes: `${LABEL}进站压力。红 0.40 MPa 为中压 A 级上限（GB 50028），黄 0.38 MPa 为运行上限（演示值）。`,
        sim: { kind: 'pressure', operating: 0.33 },
      },
      gasDetector('LD-GAS-003', '调压箱内'),
    ],
  },

  // ---- 冷碛镇 ----
  {
    name: '冷碛镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2135, lat: 29.7935, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-004', 1)],
  },
  slopePoint('冷碛镇大渡河右岸滑坡隐患点', TOWNSHIPS.冷碛镇, 102.206, 29.801, '大渡河右岸斜坡，坡脚为国道（位置示意）。', [
    gnss('LD-GNSS-001', '后缘', 23.4, 0.035, [50, 70, 90, 120]),
    gnss('LD-GNSS-002', '前缘', 17.9, 0.028, [50, 70, 90, 120]),
    crack('LD-CRACK-001', '后缘拉张裂缝', 6.35, 0.004, [15, 20, 25, 35]),
  ]),

  // ---- 兴隆镇 ----
  {
    name: '兴隆镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.兴隆镇, lon: 102.207, lat: 29.712, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-005', 4)],
  },
  slopePoint('兴隆镇场镇后山滑坡隐患点', TOWNSHIPS.兴隆镇, 102.2135, 29.718, '场镇后山松散堆积体（位置示意）。', [
    gnss('LD-GNSS-003', '中部', 31.2, 0.05, [60, 80, 100, 140]),
    crack('LD-CRACK-002', '后缘裂缝', 8.12, 0.006, [15, 20, 25, 35]),
  ]),

  // ---- 磨西镇: on the 磨西台地, the 2022 epicentral area ----
  {
    name: '磨西镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.磨西镇, lon: 102.116, lat: 29.644, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-006', 2)],
  },
  slopePoint('磨西台地东缘滑坡隐患点', TOWNSHIPS.磨西镇, 102.1225, 29.638, '磨西台地东缘陡坎，2022 年 9·5 地震后变形加剧（位置示意）。', [
    gnss('LD-GNSS-004', '坎顶', 12.6, 0.02, [40, 60, 80, 100]),
    gnss('LD-GNSS-005', '坎中', 9.8, 0.015, [40, 60, 80, 100]),
    crack('LD-CRACK-003', '坎顶裂缝', 3.41, 0.002, [10, 15, 20, 30]),
    slopeRainGauge('LD-RAIN-012'),
  ]),
  {
    name: '磨西河水位站', type: 'hydrological_station', regionCode: TOWNSHIPS.磨西镇, lon: 102.1275, lat: 29.647, ownerUnit: '泸定县水利局', watchesKind: 'river', watchesName: '磨西河',
    notes: `${LABEL}山洪沟水位站（位置示意）。`,
    sensors: [
      {
        code: 'LD-WL-003', type: 'water_level_river', rangeMin: 0, rangeMax: 10, thresholds: { direction: 'above', blue: 2.3, yellow: 2.8, orange: 3.4, red: 4.0 },
        notes: `${LABEL}压力式水位计，站点假定基面水深。2.3 / 2.8 / 3.4 / 4.0 m 为演示值（实际按山洪沟成灾水位）。`,
        sim: { kind: 'river', base: 0.9, seasonal: 0.3, peaking: 0, stormGain: 0.028, catchmentKm: 6, lagMin: 25, widthMin: 15 },
      },
    ],
  },

  // ---- 燕子沟镇 ----
  {
    name: '燕子沟镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.燕子沟镇, lon: 102.17, lat: 29.735, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-007', 6)],
  },

  // ---- 得妥镇 ----
  {
    name: '得妥镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.得妥镇, lon: 102.195, lat: 29.57, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-008', 3)],
  },
  slopePoint('湾东村滑坡隐患点', TOWNSHIPS.得妥镇, 102.148, 29.586, '湾东河左岸斜坡，2022 年 9·5 地震震损（位置示意）。', [
    gnss('LD-GNSS-006', '后缘', 58.7, 0.09, [100, 130, 160, 200]),
    gnss('LD-GNSS-007', '前缘', 44.1, 0.07, [100, 130, 160, 200]),
    crack('LD-CRACK-004', '后缘拉张裂缝', 14.86, 0.012, [25, 30, 40, 50]),
    slopeRainGauge('LD-RAIN-011'),
  ]),
  {
    name: '得妥水位站', type: 'hydrological_station', regionCode: TOWNSHIPS.得妥镇, lon: 102.199, lat: 29.565, ownerUnit: '水文部门', watchesKind: 'river', watchesName: '大渡河',
    notes: `${LABEL}大渡河得妥段水位站（位置示意）。`,
    sensors: [
      {
        code: 'LD-WL-002', type: 'water_level_river', rangeMin: 1130, rangeMax: 1170, thresholds: { direction: 'above', blue: 1151.5, yellow: 1152.0, orange: 1154.0, red: 1155.8 },
        notes: `${LABEL}雷达水位计。警戒 / 保证 / 历史最高水位 1152.0 / 1154.0 / 1155.8 m 为演示值，蓝色取警戒水位 − 0.5 m。`,
        sim: { kind: 'river', base: 1148.0, seasonal: 1.2, peaking: 0.25, stormGain: 0.005, catchmentKm: 40, lagMin: 70, widthMin: 25 },
      },
    ],
  },

  // ---- 烹坝镇 ----
  {
    name: '烹坝镇雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.烹坝镇, lon: 102.206, lat: 30.025, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-009', 5)],
  },
  slopePoint('烹坝镇大渡河左岸滑坡隐患点', TOWNSHIPS.烹坝镇, 102.212, 30.018, '大渡河左岸斜坡（位置示意）。', [
    gnss('LD-GNSS-008', '中部', 19.5, 0.03, [50, 70, 90, 120]),
    crack('LD-CRACK-005', '后缘裂缝', 5.02, 0.003, [15, 20, 25, 35]),
  ]),

  // ---- 岚安乡 ----
  {
    name: '岚安乡雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.岚安乡, lon: 102.262, lat: 29.992, ownerUnit: '泸定县水利局',
    notes: `${LABEL}山洪灾害自动雨量站（位置示意）。`,
    sensors: [rainGauge('LD-RAIN-010', 7)],
  },
  slopePoint('岚安乡场镇后山滑坡隐患点', TOWNSHIPS.岚安乡, 102.2655, 29.9965, '场镇后山斜坡（位置示意）。', [
    gnss('LD-GNSS-009', '中部', 27.3, 0.04, [60, 80, 100, 140]),
    crack('LD-CRACK-006', '后缘裂缝', 7.77, 0.005, [15, 20, 25, 35]),
  ]),
];

const SENSOR_BY_CODE = new Map(DEMO_NETWORK.flatMap((p) => p.sensors.map((s): [string, DemoSensorDef] => [s.code.toLowerCase(), s])));

/** The definition of a demo sensor, by code (letter case ignored). */
export function demoSensorDef(code: string): DemoSensorDef | undefined {
  return SENSOR_BY_CODE.get(code.toLowerCase());
}

/** What the seed records, so that a reset removes exactly what it created. */
export interface DemoNetworkRecord {
  seededAt: string;
  county: string;
  points: number[];
  sensors: number[];
  /** Codes another sensor had already taken; those demo sensors were left out. */
  skipped: string[];
}

export interface DemoNetworkResult {
  points: number;
  sensors: number;
  skipped: string[];
}

/**
 * Creates the network inside the caller's transaction unless it exists. Returns the bus events to
 * publish after the commit (the same the registry's service publishes), or null when it existed.
 */
export async function seedDemoNetwork(tx: Queryable, clock: Clock): Promise<{ result: DemoNetworkResult; events: BusEvent[] } | null> {
  if (await readSetting(tx, DEMO_NETWORK_SETTING)) return null;
  const scope = regionScope(COUNTY);
  const placement = new PlacementChecker(tx);
  const taken = await store.takenCodes(tx, DEMO_NETWORK.flatMap((p) => p.sensors.map((s) => s.code)));
  const at = clock.now().toISOString();
  const events: BusEvent[] = [];
  const record: DemoNetworkRecord = { seededAt: at, county: COUNTY, points: [], sensors: [], skipped: [] };
  for (const def of DEMO_NETWORK) {
    const { sensors, ...input } = def;
    const prepared = await preparePoint(scope, null, { watchesKind: null, watchesName: null, ...input }, placement);
    // The definition is fixed and tested: an error here is a bug in it, not bad user data.
    if (prepared.errors.length) throw new ValidationError(prepared.errors, `Demo point ${def.name} is invalid`);
    const id = await store.insertPoint(tx, prepared.record, DEMO_ACTOR);
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'monitoring.point_created', targetType: 'monitoring_point', targetId: id, regionCode: def.regionCode, after: { id, ...prepared.record, demo: true } });
    events.push({ type: 'monitoring.point_created', regionCode: def.regionCode, at, data: { id, name: def.name, type: def.type } });
    record.points.push(id);
    const point = (await store.findPoint(tx, scope, id))!;
    for (const s of sensors) {
      if (taken.has(s.code.toLowerCase())) {
        record.skipped.push(s.code);
        continue;
      }
      const { sim: _sim, ...fields } = s;
      const sensor = await prepareSensor(tx, scope, null, { ...fields, pointId: id }, { points: new Map([[id, point]]), taken: new Set() });
      if (sensor.errors.length) throw new ValidationError(sensor.errors, `Demo sensor ${s.code} is invalid`);
      const sid = await store.insertSensor(tx, sensor.record, DEMO_ACTOR);
      await appendAudit(tx, clock, DEMO_ACTOR, { action: 'monitoring.sensor_created', targetType: 'monitoring_sensor', targetId: sid, regionCode: def.regionCode, after: { id: sid, ...sensor.record, demo: true } });
      events.push({ type: 'monitoring.sensor_created', regionCode: def.regionCode, at, data: { id: sid, code: s.code, pointId: id, type: s.type } });
      record.sensors.push(sid);
    }
  }
  await writeSetting(tx, DEMO_NETWORK_SETTING, record);
  return { result: { points: record.points.length, sensors: record.sensors.length, skipped: record.skipped }, events };
}

/**
 * Removes what the seed created (and sensors a user added to demo points), audited one by one;
 * records a user made elsewhere stay. Returns the bus events to publish after the commit.
 */
export async function removeDemoNetwork(tx: Queryable, clock: Clock): Promise<{ points: number; sensors: number; events: BusEvent[] }> {
  const record = await readSetting<DemoNetworkRecord>(tx, DEMO_NETWORK_SETTING);
  if (!record) return { points: 0, sensors: 0, events: [] };
  const at = clock.now().toISOString();
  const events: BusEvent[] = [];
  let sensors = 0;
  let points = 0;
  // Sensors first: a demo sensor a user moved to one of their own points goes, the point stays.
  for (const id of record.sensors) {
    const s = await store.findSensor(tx, NATIONAL_SCOPE, id);
    if (!s || !(await store.deleteSensor(tx, NATIONAL_SCOPE, id, null))) continue;
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'monitoring.sensor_deleted', targetType: 'monitoring_sensor', targetId: id, regionCode: s.regionCode, before: { id, ...sensorRecordOf(s) }, after: { demoReset: true } });
    events.push({ type: 'monitoring.sensor_deleted', regionCode: s.regionCode, at, data: { id, code: s.code, pointId: s.pointId } });
    sensors++;
  }
  for (const id of record.points) {
    const p = await store.findPoint(tx, NATIONAL_SCOPE, id);
    if (!p) continue;
    for (const s of await store.deleteSensorsOfPoint(tx, id)) {
      await appendAudit(tx, clock, DEMO_ACTOR, { action: 'monitoring.sensor_deleted', targetType: 'monitoring_sensor', targetId: s.id, regionCode: p.regionCode, before: { id: s.id, code: s.code, pointId: id }, after: { cascadeFromPoint: id, demoReset: true } });
      events.push({ type: 'monitoring.sensor_deleted', regionCode: p.regionCode, at, data: { id: s.id, code: s.code, pointId: id } });
      sensors++;
    }
    await store.deletePoint(tx, NATIONAL_SCOPE, id, null);
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'monitoring.point_deleted', targetType: 'monitoring_point', targetId: id, regionCode: p.regionCode, before: { id, ...pointRecordOf(p) }, after: { demoReset: true } });
    events.push({ type: 'monitoring.point_deleted', regionCode: p.regionCode, at, data: { id, name: p.name } });
    points++;
  }
  await deleteSetting(tx, DEMO_NETWORK_SETTING);
  return { points, sensors, events };
}

/** The demo sensors still registered: id → definition (for the simulator). */
export async function demoSensorIds(db: Queryable): Promise<Set<number>> {
  const record = await readSetting<DemoNetworkRecord>(db, DEMO_NETWORK_SETTING);
  return new Set(record?.sensors ?? []);
}
