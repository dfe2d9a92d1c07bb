/**
 * The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a set of
 * 31 (digits and capitals without I, O, S, V, Z, which read like 1, 0, 5, U, 2):
 *
 *   position 1       registration authority (登记管理部门代码): 1 机构编制, 5 民政, 9 工商…
 *   position 2       organisation type within that authority (机构类别代码): 91 企业, 92 个体工商户…
 *   positions 3–8    administrative division of the registering authority (GB/T 2260)
 *   positions 9–17   organisation code (主体标识码, GB 11714)
 *   position 18      check character over the first 17
 *
 * Pure (no I/O), so the server, the CLI and the web form share one check; the messages name the
 * position, in Chinese and in English, because a clerk retyping a paper licence needs to know
 * which character to look at.
 */

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const USCC_LENGTH = 18;

/** What is wrong with a code, with the 1-based position where that applies. */
export interface UsccProblem {
  /** 'length' | 'character' | 'division' | 'check' */
  kind: 'length' | 'character' | 'division' | 'check';
  position: number | null;
  zh: string;
  en: string;
}

export type UsccResult = { valid: true; code: string } | { valid: false; code: string; problem: UsccProblem };

/** Letters the set leaves out, and what people most likely meant by them. */
const LOOKALIKES: Record<string, string> = { I: '1', O: '0', S: '5', V: 'U', Z: '2' };

/**
 * The code as people type it made comparable: full-width forms folded (ＡＢＣ１２３), spaces and
 * hyphens dropped, letters upper-cased. Lookalike letters are not replaced: that would accept a
 * code the licence does not carry.
 */
export function normaliseUscc(input: string): string {
  return input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
}

/** The check character for the first 17 characters (which must be from the set). */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new Error('usccCheckCharacter needs the first 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]);
    if (v < 0) throw new Error(`character ${first17[i]} at position ${i + 1} is not in the GB 32100 set`);
    sum += v * USCC_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c];
}

function problem(kind: UsccProblem['kind'], position: number | null, zh: string, en: string): UsccProblem {
  return { kind, position, zh, en };
}

/**
 * Checks a code: length, every character in the set, positions 3–8 digits, and the check
 * character. The first problem found is reported (an 18-character code with a typo has one).
 */
export function validateUscc(input: string): UsccResult {
  const code = normaliseUscc(input);
  if (code.length !== USCC_LENGTH) {
    return {
      valid: false,
      code,
      problem: problem('length', null, `应为 18 位，实为 ${code.length} 位`, `must be 18 characters, not ${code.length}`),
    };
  }
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (USCC_CHARSET.includes(ch)) continue;
    const hint = LOOKALIKES[ch];
    return {
      valid: false,
      code,
      problem: problem(
        'character',
        i + 1,
        `第${i + 1}位“${ch}”不是代码字符（不使用 I、O、S、V、Z）${hint ? `，是否为“${hint}”？` : ''}`,
        `position ${i + 1}: "${ch}" is not a code character (I, O, S, V and Z are not used)${hint ? `; did you mean "${hint}"?` : ''}`,
      ),
    };
  }
  for (let i = 2; i < 8; i++) {
    if (code[i] < '0' || code[i] > '9') {
      return {
        valid: false,
        code,
        problem: problem(
          'division',
          i + 1,
          `第${i + 1}位“${code[i]}”：第3–8位为行政区划代码，只能是数字`,
          `position ${i + 1}: "${code[i]}" — positions 3–8 are the administrative division code, digits only`,
        ),
      };
    }
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return {
      valid: false,
      code,
      problem: problem('check', 18, `第18位校验码应为 ${expected}`, `position 18: check character should be ${expected}`),
    };
  }
  return { valid: true, code };
}

/** Registration authorities (position 1) and their organisation types (position 2), GB 32100-2015 附录. */
export const USCC_AUTHORITIES: Record<string, { zh: string; en: string; types: Record<string, string> }> = {
  '1': { zh: '机构编制', en: 'institutional establishment', types: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '5': { zh: '民政', en: 'civil affairs', types: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '9': { zh: '工商（市场监管）', en: 'market regulation (business registration)', types: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  Y: { zh: '其他', en: 'other', types: {} },
};

/** What positions 1–8 say, for display; null parts where the code uses a value not listed here. */
export function describeUscc(code: string): { authority: string | null; type: string | null; divisionCode: string; organisationCode: string } {
  const c = normaliseUscc(code);
  const authority = USCC_AUTHORITIES[c[0]] ?? null;
  return {
    authority: authority?.zh ?? null,
    type: authority?.types[c[1]] ?? null,
    divisionCode: c.slice(2, 8),
    organisationCode: c.slice(8, 17),
  };
}
