/**
 * The roster's vocabulary: the roles of a responsible person (责任人), the kinds of what a person
 * answers for (包保对象) and the categories of vulnerable persons, each a key stored in the
 * database (009_warnings.sql, 011_warning_roster.sql) with its Chinese and English label. The
 * spreadsheet import reads a key, a Chinese label or an alias.
 */

export interface Term<K extends string> {
  key: K;
  zh: string;
  en: string;
  /** Other ways a spreadsheet names it. */
  aliases?: string[];
}

export const ROLES = [
  { key: 'flood', zh: '防汛责任人', en: 'Flood-control officer', aliases: ['防汛', '防汛抗旱责任人'] },
  { key: 'guardian', zh: '包保责任人', en: 'Assigned guardian', aliases: ['包保', '包保人', '包保干部'] },
  { key: 'grid', zh: '网格员', en: 'Grid worker', aliases: ['网格长', '网格管理员'] },
  { key: 'informant', zh: '灾害信息员', en: 'Disaster informant', aliases: ['信息员', '气象信息员', '群测群防员', '监测员'] },
  { key: 'cadre', zh: '村干部', en: 'Village cadre', aliases: ['村（社区）干部', '社区干部', '村支书', '村主任', '村长'] },
  { key: 'township', zh: '乡镇责任人', en: 'Township officer', aliases: ['乡镇干部', '乡（镇）责任人', '镇责任人', '乡责任人'] },
  { key: 'county', zh: '县级责任人', en: 'County officer', aliases: ['县级干部', '县责任人'] },
  { key: 'other', zh: '其他', en: 'Other' },
] as const satisfies readonly Term<string>[];

export type RoleKey = (typeof ROLES)[number]['key'];
export const ROLE_KEYS: readonly RoleKey[] = ROLES.map((r) => r.key);

/**
 * Roles that serve a territory: a warning for a region reaches everyone holding one of them in
 * that region, whether or not they answer for anything inside it. 包保责任人 are reached through
 * what they answer for; 灾害信息员 and 其他 likewise (they may be given a region assignment).
 */
export const TERRITORIAL_ROLES: readonly RoleKey[] = ['flood', 'cadre', 'grid', 'township', 'county'];

export const ASSIGNMENT_KINDS = [
  { key: 'place', zh: '场所', en: 'Place', aliases: ['地点', '场所/设施', '设施', '学校', '工地', '景区'] },
  { key: 'household', zh: '住户', en: 'Household', aliases: ['户', '农户', '居民户', '家庭'] },
  { key: 'vulnerable', zh: '特殊人群', en: 'Vulnerable person', aliases: ['重点人员', '弱势群体', '特殊群体'] },
  { key: 'point', zh: '隐患点/监测点', en: 'Hazard or monitoring point', aliases: ['隐患点', '监测点', '地质灾害隐患点', '危险点'] },
  { key: 'region', zh: '区域', en: 'Region', aliases: ['片区', '辖区', '村组', '网格'] },
] as const satisfies readonly Term<string>[];

export type AssignmentKind = (typeof ASSIGNMENT_KINDS)[number]['key'];
export const ASSIGNMENT_KIND_KEYS: readonly AssignmentKind[] = ASSIGNMENT_KINDS.map((k) => k.key);

export const VULNERABLE_CATEGORIES = [
  { key: 'elderly_alone', zh: '独居老人', en: 'Elderly person living alone', aliases: ['孤寡老人', '空巢老人', '独居'] },
  { key: 'left_behind_child', zh: '留守儿童', en: 'Left-behind child', aliases: ['留守'] },
  { key: 'disabled', zh: '残疾人', en: 'Person with a disability', aliases: ['残障人士', '残疾'] },
  { key: 'ill', zh: '重病患者', en: 'Seriously ill person', aliases: ['重病', '病患', '卧床病人', '行动不便'] },
  { key: 'pregnant', zh: '孕产妇', en: 'Pregnant or recently delivered woman', aliases: ['孕妇', '产妇'] },
  { key: 'other', zh: '其他', en: 'Other' },
] as const satisfies readonly Term<string>[];

export type VulnerableCategory = (typeof VULNERABLE_CATEGORIES)[number]['key'];
export const VULNERABLE_CATEGORY_KEYS: readonly VulnerableCategory[] = VULNERABLE_CATEGORIES.map((c) => c.key);

/** Full-width forms, case, spaces and brackets do not matter when reading a label. */
function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s()（）]/g, '');
}

function lookup<K extends string>(terms: readonly Term<K>[]): (text: string) => K | null {
  const index = new Map<string, K>();
  for (const t of terms) for (const name of [t.key, t.zh, t.en, ...(t.aliases ?? [])]) index.set(normalise(name), t.key);
  return (text) => index.get(normalise(text)) ?? null;
}

export const roleFromText = lookup<RoleKey>(ROLES);
export const assignmentKindFromText = lookup<AssignmentKind>(ASSIGNMENT_KINDS);
export const categoryFromText = lookup<VulnerableCategory>(VULNERABLE_CATEGORIES);

export function roleLabel(key: string): string {
  return ROLES.find((r) => r.key === key)?.zh ?? key;
}

export function assignmentKindLabel(key: string): string {
  return ASSIGNMENT_KINDS.find((k) => k.key === key)?.zh ?? key;
}

export function categoryLabel(key: string | null): string | null {
  if (key === null) return null;
  return VULNERABLE_CATEGORIES.find((c) => c.key === key)?.zh ?? key;
}

/** The vocabulary as the API and the web show it. */
export function vocabularyView() {
  const view = (terms: readonly Term<string>[]) => terms.map((t) => ({ key: t.key, zh: t.zh, en: t.en }));
  return { roles: view(ROLES), territorialRoles: [...TERRITORIAL_ROLES], assignmentKinds: view(ASSIGNMENT_KINDS), vulnerableCategories: view(VULNERABLE_CATEGORIES) };
}
