/**
 * The GB 18218-2018 computation for one unit (生产单元 or 储存单元), pure: no database, no clock.
 *
 *   S = Σ qᵢ/Qᵢ                 a major hazard installation when S ≥ 1 (§4.2, formula 1)
 *   R = α · Σ βᵢ·qᵢ/Qᵢ          its grade by 表6 (§4.3, formula 2)
 *
 * qᵢ is the largest quantity the unit can hold (design maximum, §4.2.2), Qᵢ the critical quantity
 * of 表1 for a named chemical or of 表2 by hazard class (the smallest, for a chemical with several
 * hazards), βᵢ from 表3 for the named toxic gases or 表4 by hazard class, α from 表5 by the people
 * within 500 m. Every term is returned, so the screen shows the computation and not just a grade.
 */
import type { FieldError } from '@anlan/core';
import { chemicalsByCas, chemicalsByName, hazardClass, isCasNumber, isHazardClassKey, toxicGasBeta } from './chemicals.ts';
import { ALPHA_BANDS, GRADE_BANDS, STANDARD, type Grade, type HazardClass, type HazardClassKey, type NamedChemical } from './tables.ts';

export interface ChemicalInput {
  /** The name in 表1 (or an alias), or for a chemical 表1 does not name, what the unit calls it. */
  name?: string | null;
  cas?: string | null;
  /** q: the largest quantity present, tonnes. */
  quantityTonnes: number;
  /** For a chemical 表1 does not name: its 表2 hazard classes (W5.3, J2…); Q is the smallest of theirs. */
  hazardClasses?: string[] | null;
  /** For a 表1 chemical outside 表3: the 表4 class its β is taken from, when Anlan's default does not fit. */
  betaClass?: string | null;
}

export interface UnitInput {
  /** People living within 500 m of the boundary (厂区边界向外扩展500米范围内常住人口). */
  exposedPopulation: number;
  chemicals: ChemicalInput[];
}

export interface Term {
  /** The 表1 name, or the name given for a chemical 表1 does not name. */
  name: string;
  cas: string | null;
  /** Named in 表1 (true) or classed by 表2 (false). */
  named: boolean;
  q: number;
  criticalQuantity: number;
  /** "GB 18218-2018 表1" or "GB 18218-2018 表2 W5.3". */
  criticalQuantitySource: string;
  /** q/Q */
  ratio: number;
  beta: number;
  /** "GB 18218-2018 表3 氯" or "GB 18218-2018 表4 W2". */
  betaSource: string;
  /** The 表4 class β came from; null when 表3 gave it. */
  betaClass: HazardClassKey | null;
  /** Whether betaClass was Anlan's default for a 表1 chemical (not stated by the user). */
  betaClassAssumed: boolean;
  /** The 表2 classes given (unnamed chemicals). */
  hazardClasses: HazardClassKey[];
  /** β·q/Q */
  weighted: number;
}

export interface Computation {
  standard: typeof STANDARD;
  terms: Term[];
  /** S = Σ q/Q */
  s: number;
  /** Σ β·q/Q */
  weightedSum: number;
  exposedPopulation: number;
  alpha: number;
  alphaBand: string;
  alphaSource: 'GB 18218-2018 表5';
  /** R = α · Σ β·q/Q */
  r: number;
  /** S ≥ 1 */
  major: boolean;
  /** 1–4 when major, else null (a unit below the threshold is not graded). */
  grade: Grade | null;
  gradeLabel: string | null;
  gradeSource: 'GB 18218-2018 表6' | null;
}

export const MAX_CHEMICALS = 100;
/** Far beyond any tank farm; a typo of a few zeros should not produce a grade. */
export const MAX_QUANTITY_TONNES = 10_000_000;
/** Sums of fractions: 0.1 + 0.2 must still reach 0.3. */
const EPSILON = 1e-9;

export type ComputeResult = { ok: true; computation: Computation } | { ok: false; errors: FieldError[] };

export function alphaFor(people: number): { alpha: number; label: string } {
  const band = ALPHA_BANDS.find((b) => people >= b.min && (b.max === null || people <= b.max))!;
  return { alpha: band.alpha, label: band.label };
}

export function gradeFor(r: number): { grade: Grade; label: string } {
  const band = GRADE_BANDS.find((b) => r >= b.minR - EPSILON)!;
  return { grade: band.grade, label: band.label };
}

function rowsText(rows: NamedChemical[]): string {
  return rows.map((r) => `“${r.name}”`).join('、');
}

interface Resolved {
  named: NamedChemical | null;
  classes: HazardClass[];
}

/** Which 表1 row or 表2 classes a chemical line means, or why it cannot be told. */
function resolve(c: ChemicalInput, field: string, errors: FieldError[]): Resolved | null {
  const name = typeof c.name === 'string' ? c.name.trim() : '';
  const cas = typeof c.cas === 'string' ? c.cas.trim() : '';
  const classes = c.hazardClasses ?? [];
  if (!name && !cas) {
    errors.push({ field: `${field}.name`, message: 'give the chemical\'s name (as in GB 18218-2018 表1) or its CAS number' });
    return null;
  }
  if (cas && !isCasNumber(cas)) {
    errors.push({ field: `${field}.cas`, message: `"${cas}" is not a CAS number (digits-digits-check digit, e.g. 7782-50-5) or its check digit is wrong` });
    return null;
  }
  const byName = name ? chemicalsByName(name) : [];
  const byCas = cas ? chemicalsByCas(cas) : [];
  let rows: NamedChemical[];
  if (name && cas) {
    // A CAS number 表1 does not list (another grade's, a supplier's) does not override the name.
    rows = byName.length && byCas.length ? byName.filter((r) => byCas.includes(r)) : byName.length ? byName : byCas;
    if (byName.length && byCas.length && rows.length === 0) {
      errors.push({ field: `${field}.cas`, message: `${cas} is the CAS number of ${rowsText(byCas)} in GB 18218-2018 表1, not of “${name}”` });
      return null;
    }
  } else rows = name ? byName : byCas;
  if (rows.length > 1) {
    errors.push({ field: `${field}.${name ? 'name' : 'cas'}`, message: `${name || cas} matches several rows of GB 18218-2018 表1 (${rowsText(rows)}): give the name of the row that fits` });
    return null;
  }
  if (rows.length === 1) {
    if (classes.length) {
      errors.push({ field: `${field}.hazardClasses`, message: `“${rows[0].name}” is named in GB 18218-2018 表1 (Q = ${rows[0].criticalQuantity} t); hazardClasses is for chemicals 表1 does not name` });
      return null;
    }
    return { named: rows[0], classes: [] };
  }
  // Not in 表1: 表2 by hazard class.
  if (classes.length === 0) {
    errors.push({
      field: `${field}.${name ? 'name' : 'cas'}`,
      message: `${name || cas} is not named in GB 18218-2018 表1: give its hazard classes (hazardClasses, GB 18218-2018 表2, e.g. ["W5.4"] for a category-3 flammable liquid) to use 表2`,
    });
    return null;
  }
  const found: HazardClass[] = [];
  for (const [i, k] of classes.entries()) {
    const def = typeof k === 'string' && isHazardClassKey(k) ? hazardClass(k) : undefined;
    if (!def) errors.push({ field: `${field}.hazardClasses.${i}`, message: `"${k}" is not a hazard class of GB 18218-2018 表2 (J1–J5, W1.1–W11)` });
    else if (found.includes(def)) errors.push({ field: `${field}.hazardClasses.${i}`, message: `${k} is given twice` });
    else found.push(def);
  }
  if (found.length !== classes.length) return null;
  if (c.betaClass !== undefined && c.betaClass !== null && c.betaClass !== '') {
    errors.push({ field: `${field}.betaClass`, message: 'betaClass is for chemicals named in 表1; for others β follows hazardClasses (表4)' });
    return null;
  }
  return { named: null, classes: found };
}

function termOf(c: ChemicalInput, field: string, r: Resolved, errors: FieldError[]): Term | null {
  const q = c.quantityTonnes;
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) {
    errors.push({ field: `${field}.quantityTonnes`, message: 'must be a quantity in tonnes greater than 0' });
    return null;
  }
  if (q > MAX_QUANTITY_TONNES) {
    errors.push({ field: `${field}.quantityTonnes`, message: `must be at most ${MAX_QUANTITY_TONNES} t` });
    return null;
  }
  const cas = typeof c.cas === 'string' && c.cas.trim() ? c.cas.trim() : null;
  if (r.named) {
    const chem = r.named;
    const given = typeof c.betaClass === 'string' && c.betaClass.trim() ? c.betaClass.trim() : null;
    let beta: number;
    let betaSource: string;
    let betaClass: HazardClassKey | null = null;
    let assumed = false;
    if (chem.toxicGas) {
      const gas = toxicGasBeta(chem.toxicGas)!;
      if (given) {
        errors.push({ field: `${field}.betaClass`, message: `β of “${chem.name}” is fixed by GB 18218-2018 表3 (${gas.name}: β = ${gas.beta})` });
        return null;
      }
      beta = gas.beta;
      betaSource = `${gas.source} ${gas.name}`;
    } else {
      const key = given ?? chem.betaClass;
      if (key === null) {
        errors.push({
          field: `${field}.betaClass`,
          message: `β of “${chem.name}” depends on its hazard class as held: give betaClass (GB 18218-2018 表4), e.g. W5.3 for a category-2 flammable liquid stored at ambient temperature, W5.1 for category 1 or above its boiling point`,
        });
        return null;
      }
      const def = isHazardClassKey(key) ? hazardClass(key) : undefined;
      if (!def) {
        errors.push({ field: `${field}.betaClass`, message: `"${key}" is not a hazard class of GB 18218-2018 表4 (J1–J5, W1.1–W11)` });
        return null;
      }
      beta = def.beta;
      betaSource = `${def.sources.beta} ${def.key}`;
      betaClass = def.key;
      assumed = given === null;
    }
    const ratio = q / chem.criticalQuantity;
    return {
      name: chem.name, cas: cas ?? chem.cas[0] ?? null, named: true, q, criticalQuantity: chem.criticalQuantity, criticalQuantitySource: chem.source,
      ratio, beta, betaSource, betaClass, betaClassAssumed: assumed, hazardClasses: [], weighted: beta * ratio,
    };
  }
  // Several hazards: the smallest Q (§4.1.2); β of that class, the larger on a tie (Anlan's reading).
  const pick = [...r.classes].sort((a, b) => a.criticalQuantity - b.criticalQuantity || b.beta - a.beta)[0];
  const ratio = q / pick.criticalQuantity;
  const name = typeof c.name === 'string' && c.name.trim() ? c.name.trim() : cas!;
  return {
    name, cas, named: false, q, criticalQuantity: pick.criticalQuantity, criticalQuantitySource: `${pick.sources.criticalQuantity} ${pick.key}`,
    ratio, beta: pick.beta, betaSource: `${pick.sources.beta} ${pick.key}`, betaClass: pick.key, betaClassAssumed: false,
    hazardClasses: r.classes.map((x) => x.key), weighted: pick.beta * ratio,
  };
}

/** The computation for one unit, or every reason it cannot be made (field paths under `chemicals`). */
export function computeUnit(input: UnitInput): ComputeResult {
  const errors: FieldError[] = [];
  const people = input.exposedPopulation;
  if (typeof people !== 'number' || !Number.isInteger(people) || people < 0 || people > 100_000_000) {
    errors.push({ field: 'exposedPopulation', message: 'must be a whole number of people, 0 or more' });
  }
  if (!Array.isArray(input.chemicals) || input.chemicals.length === 0) {
    errors.push({ field: 'chemicals', message: 'list at least one hazardous chemical with its quantity' });
    return { ok: false, errors };
  }
  if (input.chemicals.length > MAX_CHEMICALS) {
    errors.push({ field: 'chemicals', message: `at most ${MAX_CHEMICALS} chemicals per unit` });
    return { ok: false, errors };
  }
  const terms: Term[] = [];
  const seen = new Map<string, number>();
  input.chemicals.forEach((c, i) => {
    const field = `chemicals.${i}`;
    const r = resolve(c, field, errors);
    if (!r) return;
    const term = termOf(c, field, r, errors);
    if (!term) return;
    // One chemical once: its q is the unit's total of it.
    const key = term.named ? `1:${term.name}` : `2:${term.name.toLowerCase()}`;
    if (seen.has(key)) {
      errors.push({ field: `${field}.name`, message: `“${term.name}” is already chemical ${seen.get(key)}: give the unit's total quantity of it once` });
      return;
    }
    seen.set(key, i);
    terms.push(term);
  });
  if (errors.length) return { ok: false, errors };
  const s = terms.reduce((a, t) => a + t.ratio, 0);
  const weightedSum = terms.reduce((a, t) => a + t.weighted, 0);
  const { alpha, label } = alphaFor(people);
  const r = alpha * weightedSum;
  const major = s >= 1 - EPSILON;
  const grade = major ? gradeFor(r) : null;
  return {
    ok: true,
    computation: {
      standard: STANDARD, terms, s, weightedSum, exposedPopulation: people, alpha, alphaBand: label, alphaSource: 'GB 18218-2018 表5', r, major,
      grade: grade?.grade ?? null, gradeLabel: grade?.label ?? null, gradeSource: grade ? 'GB 18218-2018 表6' : null,
    },
  };
}
