import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alphaFor, computeUnit, gradeFor, type ChemicalInput, type Computation } from './compute.ts';
import { chemicalsByCas, chemicalsByName, isCasNumber, searchChemicals } from './chemicals.ts';
import { HAZARD_CLASSES, NAMED_CHEMICALS, TOXIC_GAS_BETAS } from './tables.ts';

function ok(exposedPopulation: number, chemicals: ChemicalInput[]): Computation {
  const r = computeUnit({ exposedPopulation, chemicals });
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.computation;
}

function errors(exposedPopulation: number, chemicals: ChemicalInput[]) {
  const r = computeUnit({ exposedPopulation, chemicals });
  assert.equal(r.ok, false);
  return r.ok ? [] : r.errors;
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('液氯 30 t, 120 people within 500 m: S = 30/5 = 6, R = 2.0 × 4 × 6 = 48 → 三级', () => {
  const c = ok(120, [{ name: '液氯', quantityTonnes: 30 }]);
  assert.equal(c.terms.length, 1);
  const t = c.terms[0];
  assert.equal(t.name, '氯');
  assert.equal(t.cas, '7782-50-5');
  assert.equal(t.criticalQuantity, 5);
  assert.equal(t.criticalQuantitySource, 'GB 18218-2018 表1');
  assert.equal(t.beta, 4);
  assert.equal(t.betaSource, 'GB 18218-2018 表3 氯');
  assert.equal(t.betaClass, null);
  close(t.ratio, 6);
  close(t.weighted, 24);
  close(c.s, 6);
  close(c.weightedSum, 24);
  assert.equal(c.alpha, 2);
  assert.equal(c.alphaBand, '100人以上');
  close(c.r, 48);
  assert.equal(c.major, true);
  assert.equal(c.grade, 3);
  assert.equal(c.gradeLabel, '三级');
});

test('液化石油气 60 t, 80 people: S = 60/50 = 1.2, R = 1.5 × 1.5 × 1.2 = 2.7 → 四级', () => {
  const c = ok(80, [{ name: '液化石油气', quantityTonnes: 60 }]);
  assert.equal(c.terms[0].name, '液化石油气（含丙烷、丁烷及其混合物）');
  assert.equal(c.terms[0].beta, 1.5);
  assert.equal(c.terms[0].betaSource, 'GB 18218-2018 表4 W2');
  assert.equal(c.terms[0].betaClassAssumed, true);
  close(c.s, 1.2);
  assert.equal(c.alpha, 1.5);
  close(c.r, 2.7);
  assert.equal(c.grade, 4);
});

test('甲醇 200 t and 汽油 50 t: S = 0.4 + 0.25 = 0.65 — not a major hazard, not graded', () => {
  const c = ok(40, [
    { name: '甲醇', quantityTonnes: 200 },
    { name: '汽油', quantityTonnes: 50, betaClass: 'W5.3' },
  ]);
  close(c.terms[0].ratio, 0.4);
  close(c.terms[1].ratio, 0.25);
  assert.equal(c.terms[1].criticalQuantity, 200);
  assert.equal(c.terms[1].betaClassAssumed, false);
  close(c.s, 0.65);
  assert.equal(c.major, false);
  assert.equal(c.grade, null);
  assert.equal(c.gradeLabel, null);
  // R is still reported, for the record: α(40) = 1.2
  close(c.r, 1.2 * 0.65);
});

test('several chemicals reaching exactly 1: 甲醇 250 t + 甲苯 250 t, nobody within 500 m → S = 1, R = 0.5 → 四级', () => {
  const c = ok(0, [
    { name: '甲醇', quantityTonnes: 250 },
    { name: '甲苯', quantityTonnes: 250 },
  ]);
  close(c.s, 1);
  assert.equal(c.major, true);
  assert.equal(c.alpha, 0.5);
  close(c.r, 0.5);
  assert.equal(c.grade, 4);
  // Fractions that only sum to 1 with rounding: 0.1 + 0.2 + 0.7 of Q.
  const f = ok(0, [
    { name: '甲醇', quantityTonnes: 50 },
    { name: '乙醇', quantityTonnes: 100 },
    { name: '丙酮', quantityTonnes: 350 },
  ]);
  assert.equal(f.major, true);
});

test('grade boundaries on R (氯, β 4, α 2: R = 1.6 q)', () => {
  const grade = (q: number) => ok(150, [{ name: '氯', quantityTonnes: q }]);
  assert.equal(grade(62.5).grade, 1); // R = 100
  assert.equal(grade(62.4).grade, 2);
  assert.equal(grade(31.25).grade, 2); // R = 50
  assert.equal(grade(31.2).grade, 3);
  assert.equal(grade(6.25).grade, 3); // R = 10
  assert.equal(grade(6.2).grade, 4);
  assert.equal(grade(4.9).grade, null); // S = 0.98 < 1
  assert.deepEqual([gradeFor(100), gradeFor(99.99), gradeFor(50), gradeFor(10), gradeFor(9.99), gradeFor(0)].map((g) => g.label), ['一级', '二级', '二级', '三级', '四级', '四级']);
});

test('α by the people within 500 m (表5)', () => {
  const cases: [number, number][] = [[0, 0.5], [1, 1], [29, 1], [30, 1.2], [49, 1.2], [50, 1.5], [99, 1.5], [100, 2], [25000, 2]];
  for (const [people, alpha] of cases) assert.equal(alphaFor(people).alpha, alpha, `${people} people`);
});

test('named by CAS number; toxic gases take β from 表3', () => {
  const c = ok(10, [{ cas: '7664-41-7', quantityTonnes: 100 }]);
  assert.equal(c.terms[0].name, '氨');
  assert.equal(c.terms[0].criticalQuantity, 10);
  assert.equal(c.terms[0].beta, 2);
  close(c.r, 1 * 2 * 10);
  assert.equal(c.grade, 3);
  const gas = ok(10, [{ name: '煤气', quantityTonnes: 20 }]);
  assert.equal(gas.terms[0].betaSource, 'GB 18218-2018 表3 一氧化碳');
  // A CAS number 表1 does not list does not override the name.
  assert.equal(ok(10, [{ name: '汽油', cas: '8006-61-9', quantityTonnes: 1, betaClass: 'W5.3' }]).terms[0].cas, '8006-61-9');
});

test('chemicals 表1 does not name go by 表2 class; several hazards take the smallest Q', () => {
  const diesel = ok(60, [{ name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 1000 }]);
  const t = diesel.terms[0];
  assert.equal(t.named, false);
  assert.equal(t.criticalQuantity, 5000);
  assert.equal(t.criticalQuantitySource, 'GB 18218-2018 表2 W5.4');
  assert.equal(t.beta, 1);
  assert.equal(t.betaSource, 'GB 18218-2018 表4 W5.4');
  close(diesel.s, 0.2);
  const toxic = ok(60, [{ name: '某有毒易燃液体', hazardClasses: ['W5.3', 'J2'], quantityTonnes: 100 }]);
  assert.equal(toxic.terms[0].criticalQuantity, 50);
  assert.equal(toxic.terms[0].betaClass, 'J2');
  assert.deepEqual(toxic.terms[0].hazardClasses, ['W5.3', 'J2']);
  close(toxic.s, 2);
  // J1 gas: Q 5, β 4 — 10 t, α 1.5 → R = 1.5 × 4 × 2 = 12 → 三级
  const j1 = ok(50, [{ name: '某剧毒气体', hazardClasses: ['J1'], quantityTonnes: 10 }]);
  close(j1.r, 12);
  assert.equal(j1.grade, 3);
});

test('a gas station: 汽油 + 柴油 below the threshold; an LPG depot above it', () => {
  const station = ok(200, [
    { name: '汽油', quantityTonnes: 90, betaClass: 'W5.3' },
    { name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 80 },
  ]);
  close(station.s, 90 / 200 + 80 / 5000);
  assert.equal(station.major, false);
  const depot = ok(60, [{ name: 'LPG', quantityTonnes: 120 }]);
  close(depot.s, 2.4);
  close(depot.r, 1.5 * 1.5 * 2.4);
  assert.equal(depot.grade, 4);
});

test('bad lines are refused naming the line and the reason', () => {
  const fieldsOf = (es: { field: string }[]) => es.map((e) => e.field);
  assert.deepEqual(fieldsOf(errors(0, [])), ['chemicals']);
  assert.deepEqual(fieldsOf(errors(-1, [{ name: '氯', quantityTonnes: 1 }])), ['exposedPopulation']);
  assert.deepEqual(fieldsOf(errors(1.5, [{ name: '氯', quantityTonnes: 1 }])), ['exposedPopulation']);
  assert.deepEqual(fieldsOf(errors(0, [{ name: '氯', quantityTonnes: -3 }])), ['chemicals.0.quantityTonnes']);
  assert.deepEqual(fieldsOf(errors(0, [{ name: '氯', quantityTonnes: 0 }])), ['chemicals.0.quantityTonnes']);
  assert.deepEqual(fieldsOf(errors(0, [{ name: '氯', quantityTonnes: 1e9 }])), ['chemicals.0.quantityTonnes']);
  const unknown = errors(0, [{ name: '氯', quantityTonnes: 1 }, { name: '神秘物质', quantityTonnes: 1 }]);
  assert.deepEqual(fieldsOf(unknown), ['chemicals.1.name']);
  assert.match(unknown[0].message, /not named in GB 18218-2018 表1.*hazardClasses/);
  assert.match(errors(0, [{ name: '氯', quantityTonnes: 1, betaClass: 'W2' }])[0].message, /fixed by GB 18218-2018 表3 \(氯: β = 4\)/);
  const petrol = errors(0, [{ name: '汽油', quantityTonnes: 10 }]);
  assert.deepEqual(fieldsOf(petrol), ['chemicals.0.betaClass']);
  assert.match(petrol[0].message, /give betaClass/);
  assert.deepEqual(fieldsOf(errors(0, [{ name: '汽油', quantityTonnes: 10, betaClass: 'W99' }])), ['chemicals.0.betaClass']);
  const nitro = errors(0, [{ cas: '9004-70-0', quantityTonnes: 1 }]);
  assert.deepEqual(fieldsOf(nitro), ['chemicals.0.cas']);
  assert.match(nitro[0].message, /several rows/);
  assert.match(errors(0, [{ cas: '7782-50-4', quantityTonnes: 1 }])[0].message, /check digit/);
  assert.match(errors(0, [{ name: '甲醇', cas: '7782-50-5', quantityTonnes: 1 }])[0].message, /CAS number of “氯”/);
  assert.deepEqual(fieldsOf(errors(0, [{ name: '氯', hazardClasses: ['J1'], quantityTonnes: 1 }])), ['chemicals.0.hazardClasses']);
  assert.deepEqual(fieldsOf(errors(0, [{ name: 'x', hazardClasses: ['W5.4', 'W5.9'], quantityTonnes: 1 }])), ['chemicals.0.hazardClasses.1']);
  assert.deepEqual(fieldsOf(errors(0, [{ quantityTonnes: 1 }])), ['chemicals.0.name']);
  const twice = errors(0, [{ name: '液氯', quantityTonnes: 1 }, { cas: '7782-50-5', quantityTonnes: 2 }]);
  assert.deepEqual(fieldsOf(twice), ['chemicals.1.name']);
  assert.match(twice[0].message, /already chemical 0/);
});

test('the tables hold together', () => {
  const names = new Set<string>();
  for (const c of NAMED_CHEMICALS) {
    assert.ok(!names.has(c.name), `duplicate ${c.name}`);
    names.add(c.name);
    assert.ok(c.criticalQuantity > 0, c.name);
    assert.equal(c.source, 'GB 18218-2018 表1');
    for (const cas of c.cas) assert.ok(isCasNumber(cas), `${c.name}: CAS ${cas}`);
    if (c.toxicGas) assert.ok(TOXIC_GAS_BETAS.some((g) => g.name === c.toxicGas), c.name);
    if (c.betaClass) assert.ok(HAZARD_CLASSES.some((h) => h.key === c.betaClass), c.name);
    // Each name and alias finds its own row.
    for (const n of [c.name, ...c.aliases]) assert.ok(chemicalsByName(n).includes(c), n);
  }
  assert.equal(NAMED_CHEMICALS.length, 85);
  // Every gas of 表3 is reachable from a row of 表1.
  for (const g of TOXIC_GAS_BETAS) assert.ok(NAMED_CHEMICALS.some((c) => c.toxicGas === g.name), g.name);
  assert.equal(HAZARD_CLASSES.length, 24);
  // Spot checks of values every assessor knows.
  const q = (n: string) => chemicalsByName(n)[0].criticalQuantity;
  assert.deepEqual([q('氨'), q('氯'), q('液化石油气'), q('甲醇'), q('汽油'), q('天然气'), q('光气'), q('氧'), q('硝酸胍')], [10, 5, 50, 500, 200, 50, 0.3, 200, 50]);
  assert.equal(chemicalsByCas('6484-52-2').length, 2);
});

test('chemical search by name, alias and CAS', () => {
  assert.equal(searchChemicals('液氯')[0].name, '氯');
  assert.equal(searchChemicals('7782-50-5')[0].name, '氯');
  assert.equal(searchChemicals('7782')[0].name, '氟');
  assert.ok(searchChemicals('硝化纤维素').length >= 6);
  assert.ok(searchChemicals('环氧').some((c) => c.name === '环氧乙烷'));
  assert.equal(searchChemicals('ＬＰＧ')[0].name, '液化石油气（含丙烷、丁烷及其混合物）');
  assert.deepEqual(searchChemicals('不存在的东西'), []);
});
