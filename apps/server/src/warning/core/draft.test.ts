import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDraft, nextStage, type DraftInput } from './draft.ts';
import { smsLength, smsSegments, smsText, SMS_MAX_CHARS } from './sms.ts';

const NOW = new Date('2026-07-15T08:00:00Z');
const valid = (): DraftInput => ({
  event: 'rainstorm',
  level: 'orange',
  headline: '泸定县暴雨橙色预警',
  description: '预计今天傍晚到明天凌晨，泸定县将出现暴雨。',
  instruction: '危险区域人员于18时前转移。',
  areas: [{ regionCode: '513322100' }],
  expires: '2026-07-16T04:00:00+08:00',
});

const fields = (input: DraftInput) => mergeDraft(null, input, NOW).errors.map((e) => e.field);

describe('warning drafts: field rules', () => {
  test('a complete draft has no errors; event names and keys both work; times keep whole seconds', () => {
    const { record, errors } = mergeDraft(null, { ...valid(), event: '暴雨预警', expires: '2026-07-16T04:00:00.750+08:00' }, NOW);
    assert.deepEqual(errors, []);
    assert.equal(record.event, 'rainstorm');
    assert.equal(record.stage, 'forecast');
    assert.equal(record.status, 'Actual');
    assert.equal(record.expiresAt.toISOString(), '2026-07-15T20:00:00.000Z');
  });

  test('every error names its field, and one error does not hide another', () => {
    const errors = mergeDraft(null, {
      event: '沙尘暴',
      level: 'blue',
      headline: '  ',
      description: 'x'.repeat(4001),
      areas: [
        { polygon: [[102.1, 29.5], [102.2, 29.5], [102.2, 29.6], [102.1, 29.6]] },
        { circle: { lon: 102.2, lat: 95, radiusKm: 0 } },
        { regionCode: '5133' },
        { regionCode: '513322100', polygon: [[1, 2]] } as never,
      ],
      expires: '2026-07-15T07:00:00+00:00',
      onset: 'tomorrow',
      translations: [{ language: 'zh-CN', headline: 'x' }, { language: 'en-US', headline: '' }],
    }, NOW).errors;
    const byField = new Map(errors.map((e) => [e.field, e.message]));
    assert.match(byField.get('level')!, /沙尘暴.*no 蓝色/);
    assert.equal(byField.get('headline'), 'must not be empty');
    assert.match(byField.get('description')!, /at most 4000/);
    assert.match(byField.get('areas[0].polygon')!, /not closed/);
    assert.match(byField.get('areas[1].circle.lat')!, /latitude/);
    assert.match(byField.get('areas[1].circle.radiusKm')!, /more than 0/);
    assert.match(byField.get('areas[2].regionCode')!, /6, 9 or 12 digits/);
    assert.match(byField.get('areas[3]')!, /regionCode and polygon/);
    assert.equal(byField.get('expires'), 'must be in the future');
    assert.match(byField.get('onset')!, /date-time with a time zone/);
    assert.match(byField.get('translations[0].language')!, /zh-CN is the warning itself/);
    assert.equal(byField.get('translations[1].headline'), 'must not be empty');
  });

  test('unknown events and levels, too few polygon points, points out of range, no areas', () => {
    assert.deepEqual(fields({ ...valid(), event: '台风眼' }), ['event']);
    assert.deepEqual(fields({ ...valid(), level: 'purple' }), ['level']);
    assert.deepEqual(fields({ ...valid(), areas: [] }), ['areas']);
    assert.deepEqual(fields({ ...valid(), areas: [{ polygon: [[102, 29], [102.1, 29], [102, 29]] }] }), ['areas[0].polygon']);
    assert.deepEqual(fields({ ...valid(), areas: [{ polygon: [[102, 29], [190, 29], [102.1, 29.1], [102, 29]] }] }), ['areas[0].polygon']);
    assert.deepEqual(fields({ ...valid(), areas: [{ regionCode: '513322100' }, { regionCode: '513322100' }] }), ['areas[0].regionCode']);
    assert.deepEqual(fields({ ...valid(), expires: '2026-09-15T00:00:00+08:00' }), ['expires']);
    assert.deepEqual(fields({ ...valid(), onset: '2026-07-16T05:00:00+08:00' }), ['onset']);
    assert.deepEqual(fields({ ...valid(), status: 'Test' }), ['status']);
    assert.deepEqual(fields({ ...valid(), headline: '暴雨\u0007预警' }), ['headline']);
  });

  test('an edit keeps what it does not give and checks what it does', () => {
    const { record } = mergeDraft(null, valid(), NOW);
    const edited = mergeDraft(record, { level: 'red', areas: [{ circle: { lon: 102.2, lat: 29.9, radiusKm: 5 }, label: '泸桥镇周边' }] }, NOW);
    assert.deepEqual(edited.errors, []);
    assert.equal(edited.record.level, 'red');
    assert.equal(edited.record.headline, record.headline);
    assert.deepEqual(edited.record.areas, [{ kind: 'circle', lon: 102.2, lat: 29.9, radiusKm: 5, label: '泸桥镇周边' }]);
    assert.deepEqual(mergeDraft(record, { headline: '' }, NOW).errors.map((e) => e.field), ['headline']);
  });

  test('the ladder: forecast → short → callresponse, then no further', () => {
    assert.equal(nextStage('forecast'), 'short');
    assert.equal(nextStage('short'), 'callresponse');
    assert.equal(nextStage('callresponse'), null);
  });
});

describe('warning SMS text', () => {
  const w = { msgType: 'Alert' as const, status: 'Actual', stage: 'forecast' as const, event: 'rainstorm', level: 'orange' as const, headline: '泸定县暴雨橙色预警', description: '预计今天傍晚到明天凌晨，冷碛镇、兴隆镇、磨西镇将出现暴雨', instruction: '危险区域人员于18时前转移至安置点', senderName: '泸定县应急管理局' };

  test('says who warns of what and how bad, what to do, and how to answer', () => {
    assert.equal(smsText(w), '【安澜预警】泸定县应急管理局发布暴雨橙色预警：预计今天傍晚到明天凌晨，冷碛镇、兴隆镇、磨西镇将出现暴雨。危险区域人员于18时前转移至安置点。请立即回复1确认收到。');
    assert.match(smsText(w, 'https://yj.example.cn/a/1.2.x'), /请点击 https:\/\/yj\.example\.cn\/a\/1\.2\.x 或回复1确认收到。$/);
    assert.match(smsText({ ...w, msgType: 'Update', level: 'red', stage: 'callresponse' }), /^【安澜预警】泸定县应急管理局更新暴雨红色预警（临灾叫应）：/);
    assert.match(smsText({ ...w, msgType: 'Cancel' }), /^【安澜预警】泸定县应急管理局解除暴雨预警：/);
    assert.match(smsText({ ...w, status: 'Exercise' }), /^【安澜预警·演练】/);
    assert.match(smsText({ ...w, senderName: null, regionName: '泸定县' }), /泸定县应急管理局发布/);
  });

  test('a long warning is cut to fit, keeping who, what and how to answer', () => {
    const long = smsText({ ...w, description: '暴雨'.repeat(400), instruction: '转移'.repeat(400) }, 'https://yj.example.cn/a/123.456.abcdefghijklmnop');
    assert.ok(smsLength(long) <= SMS_MAX_CHARS, `${smsLength(long)} characters`);
    assert.match(long, /^【安澜预警】泸定县应急管理局发布暴雨橙色预警：暴雨暴雨/);
    assert.match(long, /…/);
    assert.match(long, /或回复1确认收到。$/);
  });

  test('length and SMS parts: 70 characters in one message, then 67 per part', () => {
    assert.equal(smsSegments('预'.repeat(70)), 1);
    assert.equal(smsSegments('预'.repeat(71)), 2);
    assert.equal(smsSegments('预'.repeat(134)), 2);
    assert.equal(smsSegments('预'.repeat(135)), 3);
    assert.equal(smsLength('预警😀'), 3);
  });
});
