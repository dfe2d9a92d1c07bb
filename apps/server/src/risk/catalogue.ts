/**
 * The vocabularies of the enterprise and place registry: keys stored in the database, with the
 * Chinese labels a bureau uses and English ones. Spreadsheets may use either.
 */

export interface Term<K extends string = string> {
  key: K;
  name: string;
  nameEn: string;
  /** Other ways a spreadsheet writes it. */
  aliases?: string[];
}

/**
 * Industries (行业), the sixteen the issue names — the trades of the safety-production
 * supervision system (工贸 8 行业 plus 危化、矿山、烟花爆竹 and the others) — plus 电力 (hydropower
 * stations are a county's largest enterprises in the west) and 其他.
 */
export const INDUSTRIES = [
  { key: 'hazchem', name: '危险化学品', nameEn: 'Hazardous chemicals', aliases: ['危化品', '危化', '化工'] },
  { key: 'coal_mine', name: '煤矿', nameEn: 'Coal mining' },
  { key: 'non_coal_mine', name: '非煤矿山', nameEn: 'Non-coal mining', aliases: ['金属非金属矿山', '矿山'] },
  { key: 'metallurgy', name: '冶金', nameEn: 'Metallurgy' },
  { key: 'nonferrous', name: '有色', nameEn: 'Non-ferrous metals', aliases: ['有色金属'] },
  { key: 'building_materials', name: '建材', nameEn: 'Building materials' },
  { key: 'machinery', name: '机械', nameEn: 'Machinery' },
  { key: 'light_industry', name: '轻工', nameEn: 'Light industry' },
  { key: 'textile', name: '纺织', nameEn: 'Textiles' },
  { key: 'tobacco', name: '烟草', nameEn: 'Tobacco' },
  { key: 'commerce', name: '商贸', nameEn: 'Commerce and trade', aliases: ['商贸制造'] },
  { key: 'fireworks', name: '烟花爆竹', nameEn: 'Fireworks' },
  { key: 'gas', name: '燃气', nameEn: 'Gas supply', aliases: ['城镇燃气'] },
  { key: 'transport', name: '交通运输', nameEn: 'Transport', aliases: ['交通'] },
  { key: 'construction', name: '建筑施工', nameEn: 'Construction', aliases: ['建筑'] },
  { key: 'crowded_place', name: '人员密集场所', nameEn: 'Crowded places', aliases: ['人员密集'] },
  { key: 'power', name: '电力', nameEn: 'Electric power', aliases: ['水电', '发电'] },
  { key: 'other', name: '其他', nameEn: 'Other' },
] as const satisfies readonly Term[];
export type IndustryKey = (typeof INDUSTRIES)[number]['key'];

/** 行业主管部门 at county level ("管行业必须管安全"). */
export const DEPARTMENTS = [
  { key: 'emergency', name: '应急管理局', nameEn: 'Emergency management bureau', aliases: ['应急局', '应急管理部门'] },
  { key: 'housing', name: '住房和城乡建设局', nameEn: 'Housing and urban-rural development', aliases: ['住建局', '住建'] },
  { key: 'transport', name: '交通运输局', nameEn: 'Transport bureau', aliases: ['交通局', '交通运输'] },
  { key: 'commerce', name: '商务局', nameEn: 'Commerce bureau', aliases: ['商务'] },
  { key: 'economy', name: '经济和信息化局', nameEn: 'Economy and information technology', aliases: ['经信局', '经济信息化局', '工信局'] },
  { key: 'development_reform', name: '发展和改革局', nameEn: 'Development and reform (energy)', aliases: ['发改局', '发展改革局'] },
  { key: 'market_regulation', name: '市场监督管理局', nameEn: 'Market regulation', aliases: ['市场监管局', '市监局'] },
  { key: 'culture_tourism', name: '文化广播电视和旅游局', nameEn: 'Culture and tourism', aliases: ['文旅局', '文广旅局', '文化旅游局'] },
  { key: 'education', name: '教育局', nameEn: 'Education bureau', aliases: ['教育和体育局', '教体局'] },
  { key: 'health', name: '卫生健康局', nameEn: 'Health commission', aliases: ['卫健局'] },
  { key: 'water', name: '水利局', nameEn: 'Water resources bureau', aliases: ['水务局'] },
  { key: 'natural_resources', name: '自然资源局', nameEn: 'Natural resources bureau', aliases: ['自然资源和规划局'] },
  { key: 'agriculture', name: '农业农村局', nameEn: 'Agriculture and rural affairs', aliases: ['农业局'] },
  { key: 'fire_rescue', name: '消防救援大队', nameEn: 'Fire and rescue brigade', aliases: ['消防救援局', '消防'] },
  { key: 'public_security', name: '公安局', nameEn: 'Public security bureau', aliases: ['公安'] },
  { key: 'supply_marketing', name: '供销合作社', nameEn: 'Supply and marketing cooperative', aliases: ['供销社'] },
  { key: 'other', name: '其他', nameEn: 'Other' },
] as const satisfies readonly Term[];
export type DepartmentKey = (typeof DEPARTMENTS)[number]['key'];

/** Enterprise size, as 统计上大中小微型企业划分办法（2017）(国统字〔2017〕213号) defines it. */
export const SCALES = [
  { key: 'large', name: '大型', nameEn: 'Large', aliases: ['大', '大型企业'] },
  { key: 'medium', name: '中型', nameEn: 'Medium', aliases: ['中', '中型企业'] },
  { key: 'small', name: '小型', nameEn: 'Small', aliases: ['小', '小型企业'] },
  { key: 'micro', name: '微型', nameEn: 'Micro', aliases: ['微', '微型企业'] },
] as const satisfies readonly Term[];
export type ScaleKey = (typeof SCALES)[number]['key'];

/**
 * Small places: the 九小场所 of fire supervision (小学校或幼儿园、小医院、小商店、小餐饮、小旅馆、
 * 小歌舞娱乐场所、小网吧、小美容洗浴场所、小生产加工企业) plus 出租屋 and 经营性自建房, which the 2022
 * 自建房安全专项整治 put on every township's list.
 */
export const PLACE_KINDS = [
  { key: 'small_restaurant', name: '小餐饮', nameEn: 'Small restaurant', aliases: ['餐饮', '小饭馆', '小吃店'] },
  { key: 'small_workshop', name: '小作坊', nameEn: 'Small workshop', aliases: ['小生产加工企业', '小加工厂', '作坊'] },
  { key: 'rental_housing', name: '出租屋', nameEn: 'Rented housing', aliases: ['出租房', '群租房'] },
  { key: 'self_built_house', name: '经营性自建房', nameEn: 'Self-built house used for business', aliases: ['自建房'] },
  { key: 'small_hotel', name: '小旅馆', nameEn: 'Small hotel / guesthouse', aliases: ['民宿', '客栈', '旅馆'] },
  { key: 'small_shop', name: '小商店', nameEn: 'Small shop', aliases: ['小超市', '商店', '便利店'] },
  { key: 'small_entertainment', name: '小歌舞娱乐场所', nameEn: 'Small karaoke / entertainment venue', aliases: ['歌舞娱乐场所', '小娱乐场所', 'KTV'] },
  { key: 'small_internet_cafe', name: '小网吧', nameEn: 'Small internet café', aliases: ['网吧'] },
  { key: 'small_beauty_bath', name: '小美容洗浴场所', nameEn: 'Small beauty salon / bath house', aliases: ['美容美发', '洗浴'] },
  { key: 'small_school', name: '小学校或幼儿园', nameEn: 'Small school / kindergarten', aliases: ['幼儿园', '托育', '培训机构'] },
  { key: 'small_clinic', name: '小医院', nameEn: 'Small clinic', aliases: ['诊所', '卫生室'] },
  { key: 'other', name: '其他', nameEn: 'Other' },
] as const satisfies readonly Term[];
export type PlaceKindKey = (typeof PLACE_KINDS)[number]['key'];

export const PERSON_ROLES = [
  { key: 'principal', name: '主要负责人', nameEn: 'Principal (legal representative / manager)', aliases: ['负责人', '法定代表人'] },
  { key: 'safety_manager', name: '安全管理人员', nameEn: 'Safety manager', aliases: ['安全员', '安全负责人', '安全管理员'] },
] as const satisfies readonly Term[];
export type PersonRoleKey = (typeof PERSON_ROLES)[number]['key'];

export const UNIT_KINDS = [
  { key: 'production', name: '生产单元', nameEn: 'Production unit' },
  { key: 'storage', name: '储存单元', nameEn: 'Storage unit' },
] as const satisfies readonly Term[];
export type UnitKindKey = (typeof UNIT_KINDS)[number]['key'];

export const INDUSTRY_KEYS = INDUSTRIES.map((t) => t.key) as IndustryKey[];
export const DEPARTMENT_KEYS = DEPARTMENTS.map((t) => t.key) as DepartmentKey[];
export const SCALE_KEYS = SCALES.map((t) => t.key) as ScaleKey[];
export const PLACE_KIND_KEYS = PLACE_KINDS.map((t) => t.key) as PlaceKindKey[];
export const PERSON_ROLE_KEYS = PERSON_ROLES.map((t) => t.key) as PersonRoleKey[];
export const UNIT_KIND_KEYS = UNIT_KINDS.map((t) => t.key) as UnitKindKey[];

function loose(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s_-]/g, '');
}

/** The key a spreadsheet cell means: the key itself, the Chinese or English label, or an alias. */
export function termFromText<K extends string>(list: readonly Term<K>[], text: string): K | undefined {
  const k = loose(text);
  return list.find((t) => [t.key, t.name, t.nameEn, ...(t.aliases ?? [])].some((x) => loose(x) === k))?.key;
}

export function termName(list: readonly Term[], key: string | null): string | null {
  if (key === null) return null;
  return list.find((t) => t.key === key)?.name ?? key;
}

/** The catalogue for the API and the screens. */
export function catalogueView() {
  const strip = (list: readonly Term[]) => list.map(({ key, name, nameEn }) => ({ key, name, nameEn }));
  return {
    industries: strip(INDUSTRIES),
    departments: strip(DEPARTMENTS),
    scales: strip(SCALES),
    placeKinds: strip(PLACE_KINDS),
    personRoles: strip(PERSON_ROLES),
    unitKinds: strip(UNIT_KINDS),
    sources: {
      scales: '统计上大中小微型企业划分办法（2017）（国统字〔2017〕213号）',
      placeKinds: '“九小场所”及出租屋、经营性自建房',
    },
  };
}
