/**
 * GB 18218-2018《危险化学品重大危险源辨识》(Identification of major hazard installations for
 * hazardous chemicals), issued 2018-11-19, in force 2019-03-01 — the tables Anlan needs to tell a
 * major hazard installation and to grade it:
 *
 *   表1  named hazardous chemicals and their critical quantities Q (临界量)
 *   表2  Q by hazard class for chemicals 表1 does not name (GHS categories, GB 30000)
 *   表3  correction factor β of the named toxic gases (毒性气体校正系数)
 *   表4  β by hazard class for everything 表3 does not name
 *   表5  correction factor α by the number of people within 500 m outside the plant (暴露人员校正系数)
 *   表6  grade by R (重大危险源级别和R值的对应关系)
 *
 * What this file is and is not
 * - Transcribed from the standard's text as the author knows it; the printed standard could not
 *   be consulted here. Every entry names the table it comes from.
 * - Rows whose content could not be pinned down are left out rather than guessed. None of the
 *   85 rows of 表1 as recalled was left out; the wording of 表2 J5 ("类别2，所有暴露途径，液体（除J4
 *   外）、固体", Q 500 t) could not be checked word for word: one secondary source words it as
 *   "类别2、3 … 固体、液体（除吸入途径）" with the same 500 t. Checked against secondary sources
 *   here: the 2018 changes to 表1 (氧 200 t, 硝酸胍 50 t, the split 硝化纤维素 and 硝酸铵 rows,
 *   硝酸铵肥料 200 t), 表2 J1–J5 quantities, and 表3, 表5, 表6 (identical to the grading method of
 *   原国家安全监管总局令第40号 附件1, which the 2018 standard took over).
 * - `betaClass` of a 表1 chemical is NOT part of GB 18218. 表1 gives Q only; β of a named chemical
 *   outside 表3 follows from its hazard class through 表4, and the class comes from the chemical's
 *   GHS classification (危险化学品目录 / GB 30000). Anlan fills in the class only where that
 *   classification is unambiguous (flammable gases → W2, category-2 flammable liquids → W5.3, …);
 *   elsewhere it is null and the user must state the class of the chemical as held. A flammable
 *   liquid held above its boiling point is W5.1 (β 1.5) whatever the default says.
 * - The row order is the standard's as recalled; rows are cited by name, not by 序号.
 * - 煤气 (表1) is graded with the β of 一氧化碳 (表3): 表1 describes 煤气 as CO or a mixture of CO
 *   with H₂ and CH₄. That reading is Anlan's.
 */

export const STANDARD = 'GB 18218-2018';

export type TableRef = 'GB 18218-2018 表1' | 'GB 18218-2018 表2' | 'GB 18218-2018 表3' | 'GB 18218-2018 表4' | 'GB 18218-2018 表5' | 'GB 18218-2018 表6';

export const HAZARD_CLASS_KEYS = [
  'J1', 'J2', 'J3', 'J4', 'J5',
  'W1.1', 'W1.2', 'W1.3', 'W2', 'W3', 'W4', 'W5.1', 'W5.2', 'W5.3', 'W5.4',
  'W6.1', 'W6.2', 'W7.1', 'W7.2', 'W8', 'W9.1', 'W9.2', 'W10', 'W11',
] as const;
export type HazardClassKey = (typeof HAZARD_CLASS_KEYS)[number];

export interface HazardClass {
  key: HazardClassKey;
  /** 危险性类别 */
  category: string;
  categoryEn: string;
  /** 危险性分类及说明 */
  description: string;
  /** Q for a chemical of this class not named in 表1, t (表2). */
  criticalQuantity: number;
  /** β for a chemical of this class not named in 表3 (表4). */
  beta: number;
  /** "(净重)" and the like. */
  note?: string;
  sources: { criticalQuantity: 'GB 18218-2018 表2'; beta: 'GB 18218-2018 表4' };
}

const SRC = { criticalQuantity: 'GB 18218-2018 表2', beta: 'GB 18218-2018 表4' } as const;

/** 表2 (Q) and 表4 (β), one row per class symbol. */
export const HAZARD_CLASSES: readonly HazardClass[] = [
  { key: 'J1', category: '急性毒性', categoryEn: 'acute toxicity', description: '类别1，所有暴露途径，气体', criticalQuantity: 5, beta: 4, sources: SRC },
  { key: 'J2', category: '急性毒性', categoryEn: 'acute toxicity', description: '类别1，所有暴露途径，固体、液体', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'J3', category: '急性毒性', categoryEn: 'acute toxicity', description: '类别2、类别3，所有暴露途径，气体', criticalQuantity: 50, beta: 2, sources: SRC },
  { key: 'J4', category: '急性毒性', categoryEn: 'acute toxicity', description: '类别2、类别3，吸入途径，液体（沸点≤35℃）', criticalQuantity: 50, beta: 2, sources: SRC },
  { key: 'J5', category: '急性毒性', categoryEn: 'acute toxicity', description: '类别2，所有暴露途径，液体（除J4外）、固体', criticalQuantity: 500, beta: 1, sources: SRC },
  { key: 'W1.1', category: '爆炸物', categoryEn: 'explosives', description: '不稳定爆炸物；1.1项爆炸物', criticalQuantity: 1, beta: 2, sources: SRC },
  { key: 'W1.2', category: '爆炸物', categoryEn: 'explosives', description: '1.2、1.3、1.5、1.6项爆炸物', criticalQuantity: 10, beta: 2, sources: SRC },
  { key: 'W1.3', category: '爆炸物', categoryEn: 'explosives', description: '1.4项爆炸物', criticalQuantity: 50, beta: 2, sources: SRC },
  { key: 'W2', category: '易燃气体', categoryEn: 'flammable gases', description: '类别1和类别2', criticalQuantity: 10, beta: 1.5, sources: SRC },
  { key: 'W3', category: '气溶胶', categoryEn: 'aerosols', description: '类别1和类别2', criticalQuantity: 150, beta: 1, note: '净重', sources: SRC },
  { key: 'W4', category: '氧化性气体', categoryEn: 'oxidising gases', description: '类别1', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'W5.1', category: '易燃液体', categoryEn: 'flammable liquids', description: '类别1；类别2和3，工作温度高于沸点', criticalQuantity: 10, beta: 1.5, sources: SRC },
  {
    key: 'W5.2', category: '易燃液体', categoryEn: 'flammable liquids',
    description: '类别2和3，具有引发重大事故的特殊工艺条件包括危险化工工艺、爆炸极限范围或附近操作、操作压力大于1.6MPa等', criticalQuantity: 50, beta: 1, sources: SRC,
  },
  { key: 'W5.3', category: '易燃液体', categoryEn: 'flammable liquids', description: '不属于W5.1或W5.2的其他类别2', criticalQuantity: 1000, beta: 1, sources: SRC },
  { key: 'W5.4', category: '易燃液体', categoryEn: 'flammable liquids', description: '不属于W5.1或W5.2的其他类别3', criticalQuantity: 5000, beta: 1, sources: SRC },
  { key: 'W6.1', category: '自反应物质和混合物', categoryEn: 'self-reactive substances and mixtures', description: 'A型和B型自反应物质和混合物', criticalQuantity: 10, beta: 1.5, sources: SRC },
  { key: 'W6.2', category: '自反应物质和混合物', categoryEn: 'self-reactive substances and mixtures', description: 'C型、D型、E型自反应物质和混合物', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'W7.1', category: '有机过氧化物', categoryEn: 'organic peroxides', description: 'A型和B型有机过氧化物', criticalQuantity: 10, beta: 1.5, sources: SRC },
  { key: 'W7.2', category: '有机过氧化物', categoryEn: 'organic peroxides', description: 'C型、D型、E型、F型有机过氧化物', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'W8', category: '自燃液体和自燃固体', categoryEn: 'pyrophoric liquids and solids', description: '类别1自燃液体；类别1自燃固体', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'W9.1', category: '氧化性固体和液体', categoryEn: 'oxidising solids and liquids', description: '类别1', criticalQuantity: 50, beta: 1, sources: SRC },
  { key: 'W9.2', category: '氧化性固体和液体', categoryEn: 'oxidising solids and liquids', description: '类别2、类别3', criticalQuantity: 200, beta: 1, sources: SRC },
  { key: 'W10', category: '易燃固体', categoryEn: 'flammable solids', description: '类别1易燃固体', criticalQuantity: 200, beta: 1, sources: SRC },
  { key: 'W11', category: '遇水放出易燃气体的物质和混合物', categoryEn: 'substances which in contact with water emit flammable gases', description: '类别1和类别2', criticalQuantity: 200, beta: 1, sources: SRC },
];

export interface ToxicGasBeta {
  name: string;
  beta: number;
  source: 'GB 18218-2018 表3';
}

/** 表3: the toxic gases with their own β. */
export const TOXIC_GAS_BETAS: readonly ToxicGasBeta[] = (
  [
    ['一氧化碳', 2], ['二氧化硫', 2], ['氨', 2], ['环氧乙烷', 2], ['氯化氢', 3], ['溴甲烷', 3], ['氯', 4],
    ['硫化氢', 5], ['氟化氢', 5], ['二氧化氮', 10], ['氰化氢', 10], ['碳酰氯', 20], ['磷化氢', 20], ['异氰酸甲酯', 20],
  ] as const
).map(([name, beta]) => ({ name, beta, source: 'GB 18218-2018 表3' as const }));

export interface NamedChemical {
  /** The name in 表1, with its qualifiers; unique, and the key by which installations store it. */
  name: string;
  /** 别名, and common names people type. */
  aliases: string[];
  /** CAS numbers given in 表1 (several for 甲烷/天然气 and 液化石油气; none for 煤气, 烷基铝, 硝酸铵肥料). */
  cas: string[];
  /** Q, tonnes. */
  criticalQuantity: number;
  source: 'GB 18218-2018 表1';
  /** The 表3 gas whose β applies, when there is one. */
  toxicGas?: string;
  /** The 表4 class Anlan assumes for β when 表3 does not apply; null: the user must give it (see the header). */
  betaClass: HazardClassKey | null;
}

type Row = [name: string, aliases: string[], cas: string[], q: number, beta: { toxicGas: string } | HazardClassKey | null];

// Rows of 表1 in the standard's order. The last element is Anlan's link to 表3 or 表4, not the standard's.
const TABLE1_ROWS: readonly Row[] = [
  ['氨', ['液氨', '氨气'], ['7664-41-7'], 10, { toxicGas: '氨' }],
  ['二氟化氧', ['一氧化二氟'], ['7783-41-7'], 1, null],
  ['二氧化氮', [], ['10102-44-0'], 1, { toxicGas: '二氧化氮' }],
  ['二氧化硫', ['亚硫酸酐'], ['7446-09-5'], 20, { toxicGas: '二氧化硫' }],
  ['氟', [], ['7782-41-4'], 1, null],
  ['碳酰氯', ['光气'], ['75-44-5'], 0.3, { toxicGas: '碳酰氯' }],
  ['环氧乙烷', ['氧化乙烯'], ['75-21-8'], 10, { toxicGas: '环氧乙烷' }],
  ['甲醛（含量>90%）', ['蚁醛'], ['50-00-0'], 5, null],
  ['磷化氢', ['磷化三氢', '膦'], ['7803-51-2'], 1, { toxicGas: '磷化氢' }],
  ['硫化氢', [], ['7783-06-4'], 5, { toxicGas: '硫化氢' }],
  ['氯化氢（无水）', ['氯化氢'], ['7647-01-0'], 20, { toxicGas: '氯化氢' }],
  ['氯', ['液氯', '氯气'], ['7782-50-5'], 5, { toxicGas: '氯' }],
  ['煤气（CO，CO和H2、CH4的混合物等）', ['煤气', '一氧化碳'], [], 20, { toxicGas: '一氧化碳' }],
  ['砷化氢', ['砷化三氢', '胂'], ['7784-42-1'], 1, null],
  ['锑化氢', ['三氢化锑', '锑化三氢'], ['7803-52-3'], 1, null],
  ['硒化氢', [], ['7783-07-5'], 1, null],
  ['溴甲烷', ['甲基溴'], ['74-83-9'], 10, { toxicGas: '溴甲烷' }],
  ['丙酮氰醇', ['丙酮合氰化氢', '2-羟基异丁腈', '氰丙醇'], ['75-86-5'], 20, null],
  ['丙烯醛', ['烯丙醛', '败脂醛'], ['107-02-8'], 20, null],
  ['氟化氢', [], ['7664-39-3'], 1, { toxicGas: '氟化氢' }],
  ['1-氯-2,3-环氧丙烷', ['环氧氯丙烷', '3-氯-1,2-环氧丙烷'], ['106-89-8'], 20, null],
  ['3-溴-1,2-环氧丙烷', ['环氧溴丙烷', '溴甲基环氧乙烷', '表溴醇'], ['3132-64-7'], 20, null],
  ['甲苯二异氰酸酯', ['二异氰酸甲苯酯', 'TDI'], ['26471-62-5'], 100, null],
  ['一氯化硫', ['氯化硫'], ['10025-67-9'], 1, null],
  ['氰化氢', ['无水氢氰酸'], ['74-90-8'], 1, { toxicGas: '氰化氢' }],
  ['三氧化硫', ['硫酸酐'], ['7446-11-9'], 75, null],
  ['3-氨基丙烯', ['烯丙胺'], ['107-11-9'], 20, null],
  ['溴', ['溴素'], ['7726-95-6'], 20, null],
  ['乙撑亚胺', ['吖丙啶', '1-氮杂环丙烷', '氮丙啶'], ['151-56-4'], 20, null],
  ['异氰酸甲酯', ['甲基异氰酸酯'], ['624-83-9'], 0.75, { toxicGas: '异氰酸甲酯' }],
  ['叠氮化钡', ['叠氮钡'], ['18810-58-7'], 0.5, null],
  ['叠氮化铅', [], ['13424-46-9'], 0.5, 'W1.1'],
  ['雷汞', ['二雷酸汞', '雷酸汞'], ['628-86-4'], 0.5, 'W1.1'],
  ['三硝基苯甲醚', ['三硝基茴香醚'], ['28653-16-9'], 5, 'W1.1'],
  ['2,4,6-三硝基甲苯', ['梯恩梯', 'TNT'], ['118-96-7'], 5, 'W1.1'],
  ['硝化甘油', ['硝化丙三醇', '甘油三硝酸酯'], ['55-63-0'], 1, 'W1.1'],
  ['硝化纤维素[干的或含水（或乙醇）<25%]', [], ['9004-70-0'], 1, 'W1.1'],
  ['硝化纤维素（未改型的，或增塑的，含增塑剂<18%）', [], ['9004-70-0'], 1, 'W1.1'],
  ['硝化纤维素（含乙醇≥25%）', [], ['9004-70-0'], 10, null],
  ['硝化纤维素（含氮≤12.6%）', [], ['9004-70-0'], 50, null],
  ['硝化纤维素（含水≥25%）', [], ['9004-70-0'], 50, null],
  ['硝化纤维素溶液（含氮量≤12.6%，含硝化纤维素≤55%）', ['硝化棉溶液'], ['9004-70-0'], 50, null],
  ['硝酸铵（含可燃物>0.2%，包括以碳计算的任何有机物，但不包括任何其他添加剂）', [], ['6484-52-2'], 5, 'W1.1'],
  ['硝酸铵（含可燃物≤0.2%）', [], ['6484-52-2'], 50, 'W9.2'],
  ['硝酸铵肥料（含可燃物≤0.4%）', [], [], 200, null],
  ['硝酸钾', [], ['7757-79-1'], 1000, 'W9.2'],
  ['1,3-丁二烯', ['联乙烯', '丁二烯'], ['106-99-0'], 5, 'W2'],
  ['二甲醚', ['甲醚'], ['115-10-6'], 50, 'W2'],
  ['甲烷，天然气', ['甲烷', '天然气'], ['74-82-8', '8006-14-2'], 50, 'W2'],
  ['氯乙烯', ['乙烯基氯'], ['75-01-4'], 50, 'W2'],
  ['氢', ['氢气'], ['1333-74-0'], 5, 'W2'],
  ['液化石油气（含丙烷、丁烷及其混合物）', ['液化石油气', '石油气（液化的）', 'LPG', '丙烷', '丁烷'], ['68476-85-7', '74-98-6', '106-97-8'], 50, 'W2'],
  ['一甲胺', ['氨基甲烷', '甲胺'], ['74-89-5'], 5, 'W2'],
  ['乙炔', ['电石气'], ['74-86-2'], 1, 'W2'],
  ['乙烯', [], ['74-85-1'], 50, 'W2'],
  ['氧（压缩的或液化的）', ['液氧', '氧气', '氧'], ['7782-44-7'], 200, 'W4'],
  ['苯', ['纯苯'], ['71-43-2'], 50, 'W5.3'],
  ['苯乙烯', ['乙烯苯'], ['100-42-5'], 500, 'W5.4'],
  ['丙酮', ['二甲基酮'], ['67-64-1'], 500, 'W5.3'],
  ['2-丙烯腈', ['丙烯腈', '乙烯基氰', '氰基乙烯'], ['107-13-1'], 50, null],
  ['二硫化碳', [], ['75-15-0'], 50, 'W5.3'],
  ['环己烷', ['六氢化苯'], ['110-82-7'], 500, 'W5.3'],
  ['1,2-环氧丙烷', ['氧化丙烯', '甲基环氧乙烷', '环氧丙烷'], ['75-56-9'], 10, 'W5.1'],
  ['甲苯', ['甲基苯', '苯基甲烷'], ['108-88-3'], 500, 'W5.3'],
  ['甲醇', ['木醇', '木精'], ['67-56-1'], 500, 'W5.3'],
  ['汽油（乙醇汽油、甲醇汽油）', ['汽油', '乙醇汽油', '甲醇汽油'], ['86290-81-5'], 200, null],
  ['乙醇', ['酒精'], ['64-17-5'], 500, 'W5.3'],
  ['乙醚', ['二乙基醚'], ['60-29-7'], 10, 'W5.1'],
  ['乙酸乙酯', ['醋酸乙酯'], ['141-78-6'], 500, 'W5.3'],
  ['正己烷', ['己烷'], ['110-54-3'], 500, 'W5.3'],
  ['过乙酸', ['过醋酸', '过氧乙酸', '乙酰过氧化氢'], ['79-21-0'], 10, null],
  ['过氧化甲基乙基酮（10%<有效氧含量≤10.7%，含A型稀释剂≥48%）', ['过氧化甲乙酮'], ['1338-23-4'], 10, null],
  ['白磷', ['黄磷'], ['12185-10-3'], 50, null],
  ['烷基铝', ['三烷基铝'], [], 1, null],
  ['戊硼烷', ['五硼烷'], ['19624-22-7'], 1, null],
  ['过氧化钾', [], ['17014-71-0'], 20, 'W9.1'],
  ['过氧化钠', ['双氧化钠', '二氧化钠'], ['1313-60-6'], 20, 'W9.1'],
  ['氯酸钾', [], ['3811-04-9'], 100, 'W9.1'],
  ['氯酸钠', [], ['7775-09-9'], 100, 'W9.1'],
  ['发烟硝酸', [], ['52583-42-3'], 20, null],
  ['硝酸（发红烟的除外，含硝酸>70%）', ['硝酸'], ['7697-37-2'], 100, null],
  ['硝酸胍', ['硝酸亚氨脲'], ['506-93-4'], 50, null],
  ['碳化钙', ['电石'], ['75-20-7'], 100, null],
  ['钾', ['金属钾'], ['7440-09-7'], 1, null],
  ['钠', ['金属钠'], ['7440-23-5'], 10, null],
];

export const NAMED_CHEMICALS: readonly NamedChemical[] = TABLE1_ROWS.map(([name, aliases, cas, q, beta]) => ({
  name,
  aliases,
  cas,
  criticalQuantity: q,
  source: 'GB 18218-2018 表1',
  ...(beta !== null && typeof beta === 'object' ? { toxicGas: beta.toxicGas, betaClass: null } : { betaClass: beta }),
}));

export interface AlphaBand {
  /** Inclusive lower bound of the people within 500 m. */
  min: number;
  /** Inclusive upper bound; null: no upper bound. */
  max: number | null;
  alpha: number;
  label: string;
  source: 'GB 18218-2018 表5';
}

/** 表5: α by the number of people who may be exposed outside the plant (within 500 m of its boundary). */
export const ALPHA_BANDS: readonly AlphaBand[] = [
  { min: 100, max: null, alpha: 2.0, label: '100人以上', source: 'GB 18218-2018 表5' },
  { min: 50, max: 99, alpha: 1.5, label: '50人～99人', source: 'GB 18218-2018 表5' },
  { min: 30, max: 49, alpha: 1.2, label: '30人～49人', source: 'GB 18218-2018 表5' },
  { min: 1, max: 29, alpha: 1.0, label: '1人～29人', source: 'GB 18218-2018 表5' },
  { min: 0, max: 0, alpha: 0.5, label: '0人', source: 'GB 18218-2018 表5' },
];

export type Grade = 1 | 2 | 3 | 4;

export interface GradeBand {
  grade: Grade;
  label: string;
  labelEn: string;
  /** R ≥ minR (and below the next grade's minR). */
  minR: number;
  condition: string;
  source: 'GB 18218-2018 表6';
}

/** 表6: the grade of a major hazard installation by R. */
export const GRADE_BANDS: readonly GradeBand[] = [
  { grade: 1, label: '一级', labelEn: 'grade 1', minR: 100, condition: 'R≥100', source: 'GB 18218-2018 表6' },
  { grade: 2, label: '二级', labelEn: 'grade 2', minR: 50, condition: '100>R≥50', source: 'GB 18218-2018 表6' },
  { grade: 3, label: '三级', labelEn: 'grade 3', minR: 10, condition: '50>R≥10', source: 'GB 18218-2018 表6' },
  { grade: 4, label: '四级', labelEn: 'grade 4', minR: -Infinity, condition: 'R<10', source: 'GB 18218-2018 表6' },
];

/** The header above, for the API and the UI, so a user can see what the numbers rest on. */
export const DATA_NOTES: readonly string[] = [
  '临界量（表1、表2）、校正系数β（表3、表4）、α（表5）及分级（表6）按 GB 18218-2018 转录；转录时未能对照标准文本逐字核对，已对照公开二手资料核对表1的2018年修订条目、表2急性毒性临界量及表3、表5、表6。',
  '表1 化学品的 β 所依据的危险性类别（betaClass）不属于 GB 18218，为安澜按该化学品的 GHS 分类给出的默认值；无法确定时为空，须由用户按实际情况填写。易燃液体在高于沸点的温度下操作时属 W5.1（β=1.5）。',
  '煤气按表3“一氧化碳”取 β=2（表1 将煤气描述为 CO 或 CO 与 H₂、CH₄ 的混合物），为安澜的理解。',
  '表2 J5 的说明文字未能逐字核对（临界量 500 t 与所见资料一致）。',
];
