import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUscc, normaliseUscc, usccCheckCharacter, validateUscc, USCC_CHARSET } from './uscc.ts';

// Published codes: 小米科技有限责任公司 (the example of the uscc-utils README) and the example
// of python-stdnum's cn.uscc documentation.
const PUBLISHED = ['91110108551385082Q', '91110000600037341L'];

test('published codes are valid', () => {
  for (const code of PUBLISHED) assert.deepEqual(validateUscc(code), { valid: true, code });
});

test('the check character worked by hand', () => {
  // 9 1 1 1 0 1 0 8 5 5 1 3 8 5 0 8 2 · weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
  // = 9+3+9+27+0+26+0+136+100+145+25+39+64+120+0+240+56 = 999; 999 mod 31 = 7; 31-7 = 24 → 'Q'
  assert.equal(usccCheckCharacter('91110108551385082'), 'Q');
  assert.equal(USCC_CHARSET[24], 'Q');
  // sum ≡ 0 (mod 31) gives 31, which the standard writes as '0': seventeen zeros sum to 0.
  assert.equal(usccCheckCharacter('00000000000000000'), '0');
});

test('synthetic codes built with the check character validate; every other last character fails naming it', () => {
  for (const body of ['91513322DEM000001', '92513322DEM000002', '12513322MB1234567', '51513322MJ0000018']) {
    const check = usccCheckCharacter(body);
    assert.equal(validateUscc(body + check).valid, true, body);
    for (const wrong of USCC_CHARSET) {
      if (wrong === check) continue;
      const r = validateUscc(body + wrong);
      assert.equal(r.valid, false);
      if (!r.valid) {
        assert.equal(r.problem.kind, 'check');
        assert.equal(r.problem.position, 18);
        assert.equal(r.problem.zh, `第18位校验码应为 ${check}`);
        assert.equal(r.problem.en, `position 18: check character should be ${check}`);
      }
    }
  }
});

test('a changed character in the body is caught by the check character', () => {
  const good = PUBLISHED[0];
  const typo = good.slice(0, 10) + (good[10] === '1' ? '7' : '1') + good.slice(11);
  const r = validateUscc(typo);
  assert.equal(r.valid, false);
  if (!r.valid) assert.equal(r.problem.position, 18);
});

test('an illegal character is reported at its position, with the lookalike it probably is', () => {
  const r = validateUscc('91110108551385O82Q');
  assert.equal(r.valid, false);
  if (!r.valid) {
    assert.equal(r.problem.kind, 'character');
    assert.equal(r.problem.position, 15);
    assert.match(r.problem.zh, /^第15位“O”不是代码字符.*“0”/);
    assert.match(r.problem.en, /^position 15: "O" is not a code character.*"0"/);
  }
  const z = validateUscc('9111010855138508ZQ');
  assert.equal(!z.valid && z.problem.position, 17);
  const punct = validateUscc('91110108551385#82Q');
  assert.equal(!punct.valid && punct.problem.position, 15);
});

test('positions 3–8 must be digits (the administrative division)', () => {
  const r = validateUscc('9151A322DEM000001X');
  assert.equal(r.valid, false);
  if (!r.valid) {
    assert.equal(r.problem.kind, 'division');
    assert.equal(r.problem.position, 5);
  }
});

test('wrong length is reported with the length found', () => {
  for (const [input, n] of [['', 0], ['9111010855138508', 16], ['91110108551385082QQ', 19]] as const) {
    const r = validateUscc(input);
    assert.equal(r.valid, false);
    if (!r.valid) {
      assert.equal(r.problem.kind, 'length');
      assert.equal(r.problem.position, null);
      assert.match(r.problem.en, new RegExp(`not ${n}$`));
    }
  }
});

test('typing noise is normalised: lower case, spaces, hyphens, full-width characters', () => {
  assert.equal(normaliseUscc(' 9111 0108-5513 8508 2q '), '91110108551385082Q');
  assert.equal(normaliseUscc('９１１１０１０８５５１３８５０８２Ｑ'), '91110108551385082Q');
  assert.equal(validateUscc('91110108551385082q').valid, true);
});

test('positions 1–17 described', () => {
  assert.deepEqual(describeUscc('91110108551385082Q'), { authority: '工商（市场监管）', type: '企业', divisionCode: '110108', organisationCode: '551385082' });
  assert.equal(describeUscc('92513322DEM000002X').type, '个体工商户');
  assert.equal(describeUscc('A1513322DEM000002X').authority, null);
});
