// Shapes of the risk API (/api/v1/risk/…) as the 企业与场所 screens use them.

export interface CatalogueTerm {
  key: string;
  name: string;
  nameEn: string;
}

export interface RiskCatalogue {
  industries: CatalogueTerm[];
  departments: CatalogueTerm[];
  scales: CatalogueTerm[];
  placeKinds: CatalogueTerm[];
  personRoles: CatalogueTerm[];
  unitKinds: CatalogueTerm[];
  sources: Record<string, string>;
}

export type PersonRole = 'principal' | 'safety_manager';

export interface Person {
  role: PersonRole;
  name: string;
  phone: string;
}

interface Bookkeeping {
  id: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export interface Enterprise extends Bookkeeping {
  name: string;
  uscc: string;
  industry: string;
  industryName: string;
  scale: string | null;
  scaleName: string | null;
  department: string;
  departmentName: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  regionCode: string;
  regionName: string | null;
  notes: string | null;
  persons: Person[];
  installationCount: number;
  majorInstallationCount: number;
  topGrade: number | null;
}

export interface Place extends Bookkeeping {
  name: string;
  kind: string;
  kindName: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  regionCode: string;
  regionName: string | null;
  operatorName: string | null;
  operatorPhone: string | null;
  notes: string | null;
  registeredBy: string;
  registeredById: number | null;
}

export interface ChemicalLine {
  name: string | null;
  cas: string | null;
  quantityTonnes: number;
  hazardClasses: string[];
  betaClass: string | null;
}

export interface Term {
  name: string;
  cas: string | null;
  named: boolean;
  q: number;
  criticalQuantity: number;
  criticalQuantitySource: string;
  ratio: number;
  beta: number;
  betaSource: string;
  betaClass: string | null;
  betaClassAssumed: boolean;
  hazardClasses: string[];
  weighted: number;
}

export interface Computation {
  standard: string;
  terms: Term[];
  s: number;
  weightedSum: number;
  exposedPopulation: number;
  alpha: number;
  alphaBand: string;
  alphaSource: string;
  r: number;
  major: boolean;
  grade: number | null;
  gradeLabel: string | null;
  gradeSource: string | null;
}

export interface Installation extends Bookkeeping {
  enterpriseId: number;
  enterpriseName: string;
  regionCode: string;
  name: string;
  kind: 'production' | 'storage';
  kindName: string;
  exposedPopulation: number;
  notes: string | null;
  chemicals: ChemicalLine[];
  s: number;
  r: number;
  major: boolean;
  grade: number | null;
  computation: Computation;
}

export interface NamedChemical {
  name: string;
  aliases: string[];
  cas: string[];
  criticalQuantity: number;
  source: string;
  beta: number | null;
  betaSource: string | null;
  betaClass: string | null;
  betaNeedsClass: boolean;
}

export interface HazardClass {
  key: string;
  category: string;
  categoryEn: string;
  description: string;
  criticalQuantity: number;
  beta: number;
  note?: string;
}

export interface Gb18218Tables {
  standard: string;
  notes: string[];
  hazardClasses: HazardClass[];
  toxicGases: { name: string; beta: number }[];
  alphaBands: { min: number; max: number | null; alpha: number; label: string }[];
  gradeBands: { grade: number; label: string; labelEn: string; minR: number | null; condition: string }[];
}

export interface RiskImportResult {
  kind: 'enterprises' | 'places';
  mode: 'insert' | 'upsert';
  format: string;
  dryRun: boolean;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: { row: number; field: string; column?: string; message: string }[];
  ignoredColumns: string[];
}

export interface MapEnterprise {
  id: number;
  name: string;
  industry: string;
  lon: number;
  lat: number;
  regionCode: string;
  topGrade: number | null;
  major: boolean;
}

export interface MapPlace {
  id: number;
  name: string;
  kind: string;
  lon: number;
  lat: number;
  regionCode: string;
}

export interface RiskMapData {
  enterprises: MapEnterprise[];
  places: MapPlace[];
  truncated: boolean;
}
