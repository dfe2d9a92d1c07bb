/**
 * The demo enterprise and place register of 泸定县 (513322): 20 enterprises of the trades a
 * mountain county on the 大渡河 has (hydropower, petrol stations, an LPG depot, cement and stone,
 * scenic-area hotels at 海螺沟, a bus station, construction) and 15 small places of 泸桥镇 and 磨西镇
 * (restaurants, self-built guesthouses, shops…), created through the registry's own checks and
 * audit entries like a bureau's data, and labelled 演示数据 in their notes.
 *
 * Everything here is invented: names are generic, coordinates are indicative positions inside the
 * township, persons and phones are made up. Credit codes are valid GB 32100 codes (the check
 * character computed) whose organisation code reads DEM0…, so nobody mistakes one for a real
 * company's. The LPG depot's storage unit holds enough LPG to be a major hazard installation
 * (GB 18218-2018: 63 t against Q = 50 t); the other units stay below the threshold.
 */
import { ValidationError, NATIONAL_SCOPE, regionScope, usccCheckCharacter, type Clock } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import type { BusEvent } from '../events/bus.ts';
import type { DepartmentKey, IndustryKey, PlaceKindKey, ScaleKey } from '../risk/catalogue.ts';
import { prepareInstallation, type InstallationInput } from '../risk/installations.ts';
import { RegistryPlacement } from '../risk/placement.ts';
import { enterpriseRecordOf, placeRecordOf, prepareEnterprise, preparePlace } from '../risk/service.ts';
import * as store from '../risk/store.ts';
import type { PersonRecord } from '../risk/validate.ts';
import { deleteSetting, readSetting, writeSetting } from '../system/settings.ts';
import { DEMO_ACTOR, TOWNSHIPS } from './demo-monitoring.ts';

const COUNTY = '513322';
export const DEMO_RISK_SETTING = 'demo_risk';
const LABEL = '【演示数据】';

/** A valid, obviously fictitious credit code: 91 (企业) or 92 (个体工商户), 泸定县, organisation code DEM0nnnnn. */
export function demoUscc(n: number, type: '91' | '92' = '91'): string {
  const body = `${type}${COUNTY}DEM0${String(n).padStart(5, '0')}`;
  return body + usccCheckCharacter(body);
}

const person = (role: PersonRecord['role'], name: string, n: number): PersonRecord => ({ role, name, phone: `1390836${String(n).padStart(4, '0')}` });

export interface DemoEnterpriseDef {
  name: string;
  industry: IndustryKey;
  department?: DepartmentKey;
  scale: ScaleKey;
  regionCode: string;
  lon: number;
  lat: number;
  address: string;
  notes: string;
  persons: PersonRecord[];
  units?: InstallationInput[];
}

export const DEMO_ENTERPRISES: readonly DemoEnterpriseDef[] = [
  {
    name: '泸定县城北加油站', industry: 'hazchem', scale: 'small', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2281, lat: 29.929, address: '泸桥镇 G318 国道城北段',
    notes: `${LABEL}成品油零售，埋地油罐 4 座。`, persons: [person('principal', '何建华', 1), person('safety_manager', '罗小军', 2)],
    units: [{
      name: '埋地油罐区', kind: 'storage', exposedPopulation: 260, notes: '汽油罐 2×30 m³、柴油罐 2×30 m³，按设计最大储量计。',
      chemicals: [{ name: '汽油', quantityTonnes: 40, betaClass: 'W5.3' }, { name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 45 }],
    }],
  },
  {
    name: '泸定县冷碛加油站', industry: 'hazchem', scale: 'micro', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2168, lat: 29.8012, address: '冷碛镇 G318 国道旁',
    notes: `${LABEL}成品油零售。`, persons: [person('principal', '杨德明', 3), person('safety_manager', '杨晓燕', 4)],
    units: [{
      name: '埋地油罐区', kind: 'storage', exposedPopulation: 40,
      chemicals: [{ name: '汽油', quantityTonnes: 25, betaClass: 'W5.3' }, { name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 30 }],
    }],
  },
  {
    name: '泸定县液化石油气储配站', industry: 'gas', scale: 'small', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2205, lat: 29.8221, address: '冷碛镇甘露寺村',
    notes: `${LABEL}液化石油气储存、灌装和配送；储罐区构成危险化学品重大危险源。`, persons: [person('principal', '冯永刚', 5), person('safety_manager', '陈丽', 6), person('safety_manager', '王勇', 7)],
    units: [
      {
        name: '液化石油气储罐区', kind: 'storage', exposedPopulation: 150, notes: '3 座 50 m³ 卧式储罐，设计最大储量 63 t。',
        chemicals: [{ name: '液化石油气', quantityTonnes: 63 }],
      },
      {
        name: '灌装间', kind: 'production', exposedPopulation: 150, notes: '在线量按灌装秤和待充装钢瓶计。',
        chemicals: [{ name: '液化石油气', quantityTonnes: 4.5 }],
      },
    ],
  },
  {
    name: '泸定县大渡河水电开发有限公司', industry: 'power', department: 'development_reform', scale: 'medium', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2262, lat: 29.9368,
    address: '泸桥镇大渡河左岸', notes: `${LABEL}径流式水电站运营；大坝监测见监测预警模块。`, persons: [person('principal', '周海涛', 8), person('safety_manager', '刘洋', 9)],
  },
  {
    name: '泸定县得妥水电站', industry: 'power', department: 'development_reform', scale: 'small', regionCode: TOWNSHIPS.得妥镇, lon: 102.2012, lat: 29.5612,
    address: '得妥镇大渡河右岸', notes: `${LABEL}引水式小水电。`, persons: [person('principal', '李永福', 10), person('safety_manager', '张成', 11)],
  },
  {
    name: '泸定县冷碛水泥有限公司', industry: 'building_materials', scale: 'medium', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2121, lat: 29.7889, address: '冷碛镇工业集中区',
    notes: `${LABEL}水泥粉磨；粉尘涉爆、有限空间作业。`, persons: [person('principal', '赵国强', 12), person('safety_manager', '钟林', 13)],
  },
  {
    name: '泸定县兴隆石材加工厂', industry: 'building_materials', scale: 'small', regionCode: TOWNSHIPS.兴隆镇, lon: 102.2043, lat: 29.7168, address: '兴隆镇沙湾村',
    notes: `${LABEL}花岗岩板材切割加工。`, persons: [person('principal', '高志明', 14), person('safety_manager', '高红', 15)],
  },
  {
    name: '泸定县得妥建筑用石料场', industry: 'non_coal_mine', scale: 'small', regionCode: TOWNSHIPS.得妥镇, lon: 102.1902, lat: 29.5823, address: '得妥镇发旺村',
    notes: `${LABEL}露天采石场，台阶式开采。`, persons: [person('principal', '马德才', 16), person('safety_manager', '马骏', 17)],
  },
  {
    name: '海螺沟景区运营管理有限公司', industry: 'crowded_place', department: 'culture_tourism', scale: 'large', regionCode: TOWNSHIPS.磨西镇, lon: 102.1163, lat: 29.6402,
    address: '磨西镇海螺沟景区游客中心', notes: `${LABEL}4A/5A 级景区运营，旺季日接待游客逾万人，含观光车、索道。`, persons: [person('principal', '邓文', 18), person('safety_manager', '邱志华', 19)],
  },
  {
    name: '海螺沟温泉大酒店', industry: 'crowded_place', department: 'culture_tourism', scale: 'medium', regionCode: TOWNSHIPS.磨西镇, lon: 102.1203, lat: 29.6451, address: '磨西镇海螺沟路',
    notes: `${LABEL}客房 180 间，温泉区；燃气锅炉房。`, persons: [person('principal', '曾庆', 20), person('safety_manager', '苏燕', 21)],
  },
  {
    name: '磨西古镇雪山度假酒店', industry: 'crowded_place', department: 'culture_tourism', scale: 'small', regionCode: TOWNSHIPS.磨西镇, lon: 102.1138, lat: 29.6489, address: '磨西镇老街',
    notes: `${LABEL}客房 60 间。`, persons: [person('principal', '罗卫东', 22), person('safety_manager', '罗敏', 23)],
  },
  {
    name: '泸定县城区商贸超市', industry: 'commerce', department: 'commerce', scale: 'small', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2341, lat: 29.9152, address: '泸桥镇西大街',
    notes: `${LABEL}营业面积 2400 m²，人员密集。`, persons: [person('principal', '唐雪梅', 24), person('safety_manager', '黄伟', 25)],
  },
  {
    name: '泸定县汽车客运站', industry: 'transport', scale: 'small', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2358, lat: 29.9081, address: '泸桥镇东大街',
    notes: `${LABEL}二级客运站，川藏线班车。`, persons: [person('principal', '袁军', 26), person('safety_manager', '袁丽', 27)],
  },
  {
    name: '泸定县川藏危险货物运输有限公司', industry: 'transport', scale: 'small', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2184, lat: 29.8104, address: '冷碛镇物流园',
    notes: `${LABEL}成品油、液化气道路运输，罐车 12 辆。`, persons: [person('principal', '蒋涛', 28), person('safety_manager', '蒋红梅', 29)],
  },
  {
    name: '泸定县城区安置房建设项目部', industry: 'construction', scale: 'medium', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2392, lat: 29.9031, address: '泸桥镇南郊',
    notes: `${LABEL}在建，塔吊 3 台，深基坑一处。`, persons: [person('principal', '韩冬', 30), person('safety_manager', '韩雪', 31)],
  },
  {
    name: '泸定县城市供水有限公司', industry: 'other', department: 'housing', scale: 'small', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2311, lat: 29.9312, address: '泸桥镇北门水厂',
    notes: `${LABEL}水厂加氯间使用液氯钢瓶消毒。`, persons: [person('principal', '彭鹏', 32), person('safety_manager', '彭琳', 33)],
    units: [{
      name: '加氯间', kind: 'storage', exposedPopulation: 320, notes: '液氯钢瓶 1 t×2（在用、备用）。',
      chemicals: [{ name: '液氯', quantityTonnes: 2 }],
    }],
  },
  {
    name: '泸定县烟花爆竹批发部', industry: 'fireworks', scale: 'micro', regionCode: TOWNSHIPS.兴隆镇, lon: 102.1995, lat: 29.7242, address: '兴隆镇化林村',
    notes: `${LABEL}烟花爆竹批发，专用仓库 1 座。`, persons: [person('principal', '谢春', 34), person('safety_manager', '谢秋', 35)],
    units: [{
      name: '成品仓库', kind: 'storage', exposedPopulation: 12, notes: '1.3 项、1.4 项产品，按仓库核定药量计。',
      chemicals: [{ name: '烟花爆竹（1.3项）', hazardClasses: ['W1.2'], quantityTonnes: 3 }, { name: '烟花爆竹（1.4项）', hazardClasses: ['W1.3'], quantityTonnes: 6 }],
    }],
  },
  {
    name: '泸定县红樱桃茶叶加工厂', industry: 'light_industry', scale: 'micro', regionCode: TOWNSHIPS.烹坝镇, lon: 102.2085, lat: 30.0193, address: '烹坝镇烹坝村',
    notes: `${LABEL}茶叶初制，燃煤炒茶灶。`, persons: [person('principal', '张红英', 36), person('safety_manager', '张小兵', 37)],
  },
  {
    name: '泸定县牦牛肉食品有限公司', industry: 'light_industry', scale: 'small', regionCode: TOWNSHIPS.岚安乡, lon: 102.2632, lat: 29.9887, address: '岚安乡昂州村',
    notes: `${LABEL}肉制品加工，氨制冷冷库。`, persons: [person('principal', '格桑', 38), person('safety_manager', '拉姆', 39)],
    units: [{
      name: '氨制冷机房', kind: 'production', exposedPopulation: 25, notes: '系统充氨量。',
      chemicals: [{ name: '液氨', quantityTonnes: 1.2 }],
    }],
  },
  {
    name: '泸定县燕子沟农机修理厂', industry: 'machinery', scale: 'micro', regionCode: TOWNSHIPS.燕子沟镇, lon: 102.1716, lat: 29.7322, address: '燕子沟镇场镇',
    notes: `${LABEL}农机、汽车维修，乙炔、氧气钢瓶。`, persons: [person('principal', '汪洪', 40), person('safety_manager', '汪磊', 41)],
  },
];

export interface DemoPlaceDef {
  name: string;
  kind: PlaceKindKey;
  regionCode: string;
  lon: number;
  lat: number;
  address: string;
  operatorName: string;
  operatorPhone: string;
  notes: string;
}

const phone = (n: number) => `1390836${String(100 + n).padStart(4, '0')}`;

export const DEMO_PLACES: readonly DemoPlaceDef[] = [
  { name: '老街川菜馆', kind: 'small_restaurant', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2337, lat: 29.9168, address: '泸桥镇老街 12 号', operatorName: '刘桂芳', operatorPhone: phone(1), notes: `${LABEL}瓶装液化气灶具 2 台。` },
  { name: '桥头豆花饭', kind: 'small_restaurant', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2322, lat: 29.9139, address: '泸桥镇泸定桥东桥头', operatorName: '王小平', operatorPhone: phone(2), notes: `${LABEL}` },
  { name: '磨西烤全羊', kind: 'small_restaurant', regionCode: TOWNSHIPS.磨西镇, lon: 102.1147, lat: 29.6472, address: '磨西镇老街 36 号', operatorName: '泽仁', operatorPhone: phone(3), notes: `${LABEL}木炭烧烤，注意一氧化碳。` },
  { name: '雪山客栈', kind: 'self_built_house', regionCode: TOWNSHIPS.磨西镇, lon: 102.1129, lat: 29.6498, address: '磨西镇老街 58 号', operatorName: '李春梅', operatorPhone: phone(4), notes: `${LABEL}四层自建房改建民宿，客房 14 间。` },
  { name: '冰川人家民宿', kind: 'self_built_house', regionCode: TOWNSHIPS.磨西镇, lon: 102.1181, lat: 29.6436, address: '磨西镇柏秧坪村', operatorName: '杨光', operatorPhone: phone(5), notes: `${LABEL}三层自建房，经营性用途，2019 年加建一层。` },
  { name: '红石滩家庭旅馆', kind: 'small_hotel', regionCode: TOWNSHIPS.磨西镇, lon: 102.1208, lat: 29.6417, address: '磨西镇海螺沟路 8 号', operatorName: '陈俊', operatorPhone: phone(6), notes: `${LABEL}客房 9 间。` },
  { name: '泸桥旅社', kind: 'small_hotel', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2347, lat: 29.9121, address: '泸桥镇东大街 40 号', operatorName: '周红', operatorPhone: phone(7), notes: `${LABEL}` },
  { name: '便民小超市', kind: 'small_shop', regionCode: TOWNSHIPS.磨西镇, lon: 102.1156, lat: 29.6459, address: '磨西镇老街 20 号', operatorName: '吴强', operatorPhone: phone(8), notes: `${LABEL}前店后宅（“三合一”），已劝导分隔。` },
  { name: '城西五金店', kind: 'small_shop', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2303, lat: 29.9177, address: '泸桥镇西大街 88 号', operatorName: '胡军', operatorPhone: phone(9), notes: `${LABEL}` },
  { name: '星空网吧', kind: 'small_internet_cafe', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2361, lat: 29.9147, address: '泸桥镇东大街 15 号二楼', operatorName: '邓斌', operatorPhone: phone(10), notes: `${LABEL}机位 60 个，一个疏散楼梯。` },
  { name: '欢唱 KTV', kind: 'small_entertainment', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2355, lat: 29.9135, address: '泸桥镇东大街 27 号', operatorName: '余涛', operatorPhone: phone(11), notes: `${LABEL}包间 12 个。` },
  { name: '老腊肉作坊', kind: 'small_workshop', regionCode: TOWNSHIPS.兴隆镇, lon: 102.2061, lat: 29.7141, address: '兴隆镇场镇', operatorName: '何大福', operatorPhone: phone(12), notes: `${LABEL}柴火熏制。` },
  { name: '阳光幼儿园', kind: 'small_school', regionCode: TOWNSHIPS.泸桥镇, lon: 102.2376, lat: 29.9099, address: '泸桥镇南街 3 号', operatorName: '秦霞', operatorPhone: phone(13), notes: `${LABEL}幼儿 85 名。` },
  { name: '磨西镇卫生院门诊部', kind: 'small_clinic', regionCode: TOWNSHIPS.磨西镇, lon: 102.1171, lat: 29.6466, address: '磨西镇新街', operatorName: '段玲', operatorPhone: phone(14), notes: `${LABEL}` },
  { name: '河边出租屋', kind: 'rental_housing', regionCode: TOWNSHIPS.冷碛镇, lon: 102.2149, lat: 29.7961, address: '冷碛镇大渡河边', operatorName: '孙福', operatorPhone: phone(15), notes: `${LABEL}租住水泥厂工人 16 人，电动车入户充电已整改。` },
];

export interface DemoRiskRecord {
  seededAt: string;
  county: string;
  enterprises: number[];
  places: number[];
  installations: number[];
  /** Credit codes another enterprise had already taken; those demo enterprises were left out. */
  skipped: string[];
}

export interface DemoRiskResult {
  enterprises: number;
  places: number;
  installations: number;
  majorInstallations: number;
}

/**
 * Creates the register inside the caller's transaction unless it exists. Returns the bus events to
 * publish after the commit (the service's own), or null when it existed.
 */
export async function seedDemoRisk(tx: Queryable, clock: Clock): Promise<{ result: DemoRiskResult; events: BusEvent[] } | null> {
  if (await readSetting(tx, DEMO_RISK_SETTING)) return null;
  const scope = regionScope(COUNTY);
  const placement = new RegistryPlacement(tx);
  const at = clock.now().toISOString();
  const events: BusEvent[] = [];
  const record: DemoRiskRecord = { seededAt: at, county: COUNTY, enterprises: [], places: [], installations: [], skipped: [] };
  let major = 0;
  for (const [i, def] of DEMO_ENTERPRISES.entries()) {
    const { units, ...fields } = def;
    const uscc = demoUscc(i + 1);
    const prepared = await prepareEnterprise(tx, scope, null, { ...fields, uscc }, placement);
    // The definitions are fixed and tested: an error here is a bug in them, not bad user data.
    if (prepared.errors.length) throw new ValidationError(prepared.errors, `Demo enterprise ${def.name} is invalid`);
    if (prepared.duplicateOf) {
      record.skipped.push(uscc);
      continue;
    }
    const id = await store.insertEnterprise(tx, prepared.record, DEMO_ACTOR);
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'risk.enterprise_created', targetType: 'risk_enterprise', targetId: id, regionCode: def.regionCode, after: { id, ...prepared.record, demo: true } });
    events.push({ type: 'risk.enterprise_created', regionCode: def.regionCode, at, data: { id, name: def.name, industry: def.industry } });
    record.enterprises.push(id);
    for (const unit of units ?? []) {
      const u = prepareInstallation(null, unit);
      if (u.errors.length || !u.computation) throw new ValidationError(u.errors, `Demo unit ${def.name} / ${unit.name} is invalid`);
      const iid = await store.insertInstallation(tx, id, u.record, u.computation, DEMO_ACTOR);
      await appendAudit(tx, clock, DEMO_ACTOR, {
        action: 'risk.installation_created', targetType: 'risk_installation', targetId: iid, regionCode: def.regionCode,
        after: { id: iid, enterpriseId: id, ...u.record, s: u.computation.s, r: u.computation.r, major: u.computation.major, grade: u.computation.grade, demo: true },
      });
      events.push({ type: 'risk.installation_created', regionCode: def.regionCode, at, data: { id: iid, enterpriseId: id, name: unit.name, major: u.computation.major, grade: u.computation.grade } });
      record.installations.push(iid);
      if (u.computation.major) major++;
    }
  }
  for (const def of DEMO_PLACES) {
    const prepared = await preparePlace(scope, null, def, placement);
    if (prepared.errors.length) throw new ValidationError(prepared.errors, `Demo place ${def.name} is invalid`);
    const id = await store.insertPlace(tx, prepared.record, { ...DEMO_ACTOR });
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'risk.place_created', targetType: 'risk_place', targetId: id, regionCode: def.regionCode, after: { id, ...prepared.record, demo: true } });
    events.push({ type: 'risk.place_created', regionCode: def.regionCode, at, data: { id, name: def.name, kind: def.kind } });
    record.places.push(id);
  }
  await writeSetting(tx, DEMO_RISK_SETTING, record);
  return { result: { enterprises: record.enterprises.length, places: record.places.length, installations: record.installations.length, majorInstallations: major }, events };
}

/**
 * Removes what the seed created (with units users added to demo enterprises), audited one by one;
 * records users made elsewhere stay. Returns the bus events to publish after the commit.
 */
export async function removeDemoRisk(tx: Queryable, clock: Clock): Promise<{ enterprises: number; places: number; events: BusEvent[] }> {
  const record = await readSetting<DemoRiskRecord>(tx, DEMO_RISK_SETTING);
  if (!record) return { enterprises: 0, places: 0, events: [] };
  const at = clock.now().toISOString();
  const events: BusEvent[] = [];
  let enterprises = 0;
  let places = 0;
  for (const id of record.enterprises) {
    const e = await store.findEnterprise(tx, NATIONAL_SCOPE, id);
    if (!e) continue;
    for (const u of await store.deleteInstallationsOf(tx, id)) {
      await appendAudit(tx, clock, DEMO_ACTOR, { action: 'risk.installation_deleted', targetType: 'risk_installation', targetId: u.id, regionCode: e.regionCode, before: { id: u.id, name: u.name, enterpriseId: id }, after: { demoReset: true } });
    }
    await store.deleteEnterprise(tx, NATIONAL_SCOPE, id, null);
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'risk.enterprise_deleted', targetType: 'risk_enterprise', targetId: id, regionCode: e.regionCode, before: { id, ...enterpriseRecordOf(e) }, after: { demoReset: true } });
    events.push({ type: 'risk.enterprise_deleted', regionCode: e.regionCode, at, data: { id, name: e.name } });
    enterprises++;
  }
  for (const id of record.places) {
    const p = await store.findPlace(tx, NATIONAL_SCOPE, id);
    if (!p || !(await store.deletePlace(tx, NATIONAL_SCOPE, id, null))) continue;
    await appendAudit(tx, clock, DEMO_ACTOR, { action: 'risk.place_deleted', targetType: 'risk_place', targetId: id, regionCode: p.regionCode, before: { id, ...placeRecordOf(p) }, after: { demoReset: true } });
    events.push({ type: 'risk.place_deleted', regionCode: p.regionCode, at, data: { id, name: p.name } });
    places++;
  }
  await deleteSetting(tx, DEMO_RISK_SETTING);
  return { enterprises, places, events };
}
