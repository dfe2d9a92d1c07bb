/**
 * Finding a chemical of GB 18218-2018 表1 by what people type: its name in the table, an alias,
 * or a CAS number; and the hazard classes of 表2/表4 by symbol.
 */
import { HAZARD_CLASSES, HAZARD_CLASS_KEYS, NAMED_CHEMICALS, TOXIC_GAS_BETAS, type HazardClass, type HazardClassKey, type NamedChemical, type ToxicGasBeta } from './tables.ts';

/** Names compared loosely: full-width forms, brackets, spaces and case do not matter. */
export function nameKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s·]/g, '')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[，]/g, ',');
}

const CAS_PATTERN = /^\d{2,7}-\d{2}-\d$/;

/** A CAS registry number with a correct check digit (the last digit). */
export function isCasNumber(text: string): boolean {
  if (!CAS_PATTERN.test(text)) return false;
  const digits = text.replace(/-/g, '');
  const body = digits.slice(0, -1);
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i + 1);
  return sum % 10 === Number(digits[digits.length - 1]);
}

const byName = new Map<string, NamedChemical[]>();
const byCas = new Map<string, NamedChemical[]>();
for (const c of NAMED_CHEMICALS) {
  for (const n of new Set([c.name, ...c.aliases].map(nameKey))) byName.set(n, [...(byName.get(n) ?? []), c]);
  for (const cas of c.cas) byCas.set(cas, [...(byCas.get(cas) ?? []), c]);
}

/** Every 表1 row carrying this name or alias (exact, loosely compared). */
export function chemicalsByName(name: string): NamedChemical[] {
  return byName.get(nameKey(name)) ?? [];
}

/** Every 表1 row listing this CAS number (several for 硝化纤维素 and 硝酸铵, which 表1 splits by grade). */
export function chemicalsByCas(cas: string): NamedChemical[] {
  return byCas.get(cas.trim()) ?? [];
}

export function namedChemical(name: string): NamedChemical | undefined {
  return NAMED_CHEMICALS.find((c) => c.name === name);
}

export function hazardClass(key: string): HazardClass | undefined {
  return HAZARD_CLASSES.find((c) => c.key === key);
}

export function isHazardClassKey(key: string): key is HazardClassKey {
  return (HAZARD_CLASS_KEYS as readonly string[]).includes(key);
}

export function toxicGasBeta(name: string): ToxicGasBeta | undefined {
  return TOXIC_GAS_BETAS.find((g) => g.name === name);
}

/** 表1 rows whose name, an alias or a CAS number contains the query; exact matches first. */
export function searchChemicals(query: string, limit = 50): NamedChemical[] {
  const q = nameKey(query);
  if (!q) return NAMED_CHEMICALS.slice(0, limit);
  const scored: { c: NamedChemical; score: number; order: number }[] = [];
  NAMED_CHEMICALS.forEach((c, order) => {
    const names = [c.name, ...c.aliases].map(nameKey);
    let score = 0;
    if (names.includes(q) || c.cas.includes(query.trim())) score = 3;
    else if (names.some((n) => n.startsWith(q)) || c.cas.some((x) => x.startsWith(query.trim()))) score = 2;
    else if (names.some((n) => n.includes(q)) || c.cas.some((x) => x.includes(query.trim()))) score = 1;
    if (score) scored.push({ c, score, order });
  });
  return scored
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map((s) => s.c);
}
