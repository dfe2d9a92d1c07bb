// The 责任人名册 screens' texts (zh-CN first, English), merged into the app's i18n under `roster`
// when this module loads (AppShell imports it for the menu and the page title), and the Chinese of
// the server's English field messages.
import { i18n, currentLocale } from '../i18n';
import { localizeFieldMessage } from '../form-errors';

const zhCN = {
  nav: { title: '责任人名册' },
  page: {
    intro: '预警发布时，按预警区域找到包保对象所在的责任人和区域内的村干部、网格员、乡镇和县级责任人，并按逐级叫应链通知上级。',
    total: '共 {n} 人',
    loadFailed: '加载失败：{detail}',
    chainLevels: '逐级通知层数',
    chainLevelsHint: '直接收到预警的责任人之上再通知几级上级（0–5）。',
    chainLevelsSaved: '已保存：逐级通知 {n} 级',
  },
  filters: { allRoles: '全部角色', search: '姓名或手机号', allStatus: '全部状态', allKinds: '全部类别' },
  columns: {
    name: '姓名', phone: '手机号', roles: '角色', region: '所在区划', superior: '上级', assignments: '包保对象', people: '需转移人数', account: '登录账号',
    status: '状态', updatedAt: '更新时间', actions: '操作',
  },
  status: { active: '在岗', inactive: '停用' },
  actions: {
    create: '新增责任人', edit: '编辑', delete: '删除', import: '导入', export: '导出', refresh: '刷新', assignments: '包保对象', chain: '叫应链',
    addAssignment: '新增包保对象', save: '保存', cancel: '取消', close: '关闭',
  },
  person: {
    createTitle: '新增责任人', editTitle: '编辑责任人：{name}',
    name: '姓名', phone: '手机号', email: '电子邮箱', roles: '角色', region: '所在区划', superior: '上级责任人', account: '登录账号', active: '在岗', notes: '备注',
    phoneHint: '大陆手机号 11 位，是短信预警和回复短信的身份，全库唯一。',
    regionHint: '任职的县、乡镇或村（社区）。',
    superiorHint: '逐级叫应：村 → 乡镇 → 县。未按时回复时预警升级给上级。',
    accountHint: '关联后可用该账号登录一键通手机页面。',
    inactiveHint: '停用后不再接收预警，逐级叫应越过此人到达其上级。',
    noSuperior: '（无上级）',
    searchSuperior: '输入姓名或手机号查找',
    saved: '已保存 {name}',
    deleteConfirm: '删除责任人“{name}”及其 {n} 个包保对象？删除后不可恢复；已收到过预警的责任人只能停用。',
    deleted: '已删除 {name}',
    conflict: '该记录已被他人修改，请刷新后重试',
    required: '必填',
  },
  assignment: {
    createTitle: '新增包保对象', editTitle: '编辑包保对象：{name}', listTitle: '{name} 的包保对象',
    kind: '类别', category: '人员类别', name: '名称', region: '所在区划', lon: '经度', lat: '纬度', people: '需转移人数', ref: '关联编号', active: '启用', notes: '备注',
    nameHint: '场所名称、户主姓名、特殊人群姓名、隐患点或区域名称。',
    positionHint: '有坐标时按位置判断是否在预警多边形/圆形内；无坐标时按所在区划判断（可能整县都会收到）。',
    refHint: '类别为隐患点/监测点时，可填安澜监测点编号，不填坐标时取该点位置。',
    unplaced: '无坐标',
    empty: '暂无包保对象',
    deleteConfirm: '删除包保对象“{name}”？',
    saved: '已保存 {name}',
    deleted: '已删除 {name}',
    total: '共 {n} 个，需转移 {people} 人',
    map: '位置',
    noMap: '没有带坐标的包保对象',
  },
  chain: {
    title: '逐级叫应链',
    self: '本人',
    level: '上 {n} 级',
    direct: '直接上级',
    outOfScope: '超出您的管辖范围，不显示电话',
    inactive: '已停用（叫应越过）',
    none: '没有上级：此人未回复时预警无人可升级。',
  },
  import: {
    title: '导入责任人名册',
    intro: 'Excel 工作簿（“责任人”“包保对象”两张表，与导出格式相同）或其中一张表的 CSV。上级和包保责任人以手机号指定，可引用同一文件中的行，顺序不限。正确的行照常导入，错误的行按表、行号、列列出原因。',
    file: '文件', chooseFile: '选择文件', mode: '方式', modeInsert: '仅新增', modeUpsert: '新增或更新',
    modeInsertHint: '手机号已登记的行报错。', modeUpsertHint: '手机号已登记的责任人按本行修改；填写编号的包保对象按本行修改；空单元格保留原值，“无”表示清空。',
    dryRun: '仅校验，不写入', submit: '导入', check: '校验',
    sending: '上传中 {percent}%', checking: '服务器校验中…',
    sheetResult: '{sheet}：{rows} 行，新增 {inserted}，更新 {updated}，未变 {unchanged}，错误 {rejected}',
    dryRunNote: '仅校验，未写入数据库。',
    ignoredColumns: '{sheet} 中未识别的列（已忽略）：{columns}',
    ignoredSheets: '未识别的工作表（已忽略）：{sheets}',
    sheet: '表', row: '行', column: '列', reason: '原因',
    moreErrors: '另有 {n} 条错误未列出',
    refused: '未导入：{detail}',
  },
  kinds: { place: '场所', household: '住户', vulnerable: '特殊人群', point: '隐患点/监测点', region: '区域' },
  categories: { elderly_alone: '独居老人', left_behind_child: '留守儿童', disabled: '残疾人', ill: '重病患者', pregnant: '孕产妇', other: '其他' },
  roles: { flood: '防汛责任人', guardian: '包保责任人', grid: '网格员', informant: '灾害信息员', cadre: '村干部', township: '乡镇责任人', county: '县级责任人', other: '其他' },
};

const en: typeof zhCN = {
  nav: { title: 'Responsible persons' },
  page: {
    intro: 'When a warning is issued, it reaches the persons answering for something inside its area, the cadres, grid workers, township and county officers serving there, and their superiors up the chain.',
    total: '{n} persons',
    loadFailed: 'Could not load: {detail}',
    chainLevels: 'Chain levels',
    chainLevelsHint: 'How many levels of superiors above each directly reached person are informed too (0–5).',
    chainLevelsSaved: 'Saved: {n} level(s) up the chain',
  },
  filters: { allRoles: 'All roles', search: 'Name or phone', allStatus: 'Any status', allKinds: 'All kinds' },
  columns: {
    name: 'Name', phone: 'Phone', roles: 'Roles', region: 'Region', superior: 'Superior', assignments: 'Assignments', people: 'People to move', account: 'Account',
    status: 'Status', updatedAt: 'Updated', actions: 'Actions',
  },
  status: { active: 'Active', inactive: 'Inactive' },
  actions: {
    create: 'Add person', edit: 'Edit', delete: 'Delete', import: 'Import', export: 'Export', refresh: 'Refresh', assignments: 'Assignments', chain: 'Chain',
    addAssignment: 'Add assignment', save: 'Save', cancel: 'Cancel', close: 'Close',
  },
  person: {
    createTitle: 'Add a responsible person', editTitle: 'Edit {name}',
    name: 'Name', phone: 'Mobile phone', email: 'E-mail', roles: 'Roles', region: 'Region', superior: 'Superior', account: 'Login account', active: 'Active', notes: 'Notes',
    phoneHint: 'Mainland mobile, 11 digits: the SMS address and the identity of SMS replies; unique.',
    regionHint: 'The county, township or village the person serves.',
    superiorHint: 'The escalation chain: village → township → county. An unanswered warning goes up to the superior.',
    accountHint: 'Lets this account log in to the mobile page as the person.',
    inactiveHint: 'An inactive person receives no warnings; the chain passes over them to their superior.',
    noSuperior: '(no superior)',
    searchSuperior: 'Type a name or phone',
    saved: 'Saved {name}',
    deleteConfirm: 'Delete {name} and their {n} assignment(s)? This cannot be undone; a person a warning reached can only be deactivated.',
    deleted: 'Deleted {name}',
    conflict: 'Someone else changed this record; reload and try again',
    required: 'Required',
  },
  assignment: {
    createTitle: 'Add an assignment', editTitle: 'Edit {name}', listTitle: 'What {name} answers for',
    kind: 'Kind', category: 'Category', name: 'Name', region: 'Region', lon: 'Longitude', lat: 'Latitude', people: 'People to move', ref: 'Reference', active: 'Active', notes: 'Notes',
    nameHint: 'The place, the head of the household, the vulnerable person, the hazard point or the area.',
    positionHint: 'With coordinates it is placed exactly in polygon and circle warnings; without, by its region (possibly the whole county).',
    refHint: 'For a hazard or monitoring point: an Anlan monitoring point id lends its position when no coordinates are given.',
    unplaced: 'no position',
    empty: 'Nothing assigned yet',
    deleteConfirm: 'Delete the assignment {name}?',
    saved: 'Saved {name}',
    deleted: 'Deleted {name}',
    total: '{n} assignment(s), {people} people to move',
    map: 'Positions',
    noMap: 'No assignment has a position',
  },
  chain: {
    title: 'Escalation chain',
    self: 'The person',
    level: '{n} levels up',
    direct: 'Direct superior',
    outOfScope: 'Outside your region: phone not shown',
    inactive: 'Inactive (passed over)',
    none: 'No superior: if this person does not answer, nobody can be escalated to.',
  },
  import: {
    title: 'Import the roster',
    intro: 'An Excel workbook with the sheets 责任人 and 包保对象 (as exported), or a CSV of one of them. Superiors and the persons of assignments are named by phone, also rows of the same file in any order. Good rows are imported; bad rows are listed by sheet, row and column.',
    file: 'File', chooseFile: 'Choose a file', mode: 'Mode', modeInsert: 'Add only', modeUpsert: 'Add or update',
    modeInsertHint: 'A phone already on the roster is an error.', modeUpsertHint: 'A known phone updates that person; an assignment row with 编号 updates it; empty cells keep values, "无" clears.',
    dryRun: 'Check only, store nothing', submit: 'Import', check: 'Check',
    sending: 'Uploading {percent}%', checking: 'The server is checking…',
    sheetResult: '{sheet}: {rows} rows, {inserted} new, {updated} updated, {unchanged} unchanged, {rejected} rejected',
    dryRunNote: 'Checked only; nothing was stored.',
    ignoredColumns: 'Columns of {sheet} not understood (ignored): {columns}',
    ignoredSheets: 'Sheets not understood (ignored): {sheets}',
    sheet: 'Sheet', row: 'Row', column: 'Column', reason: 'Reason',
    moreErrors: '{n} more errors not listed',
    refused: 'Nothing imported: {detail}',
  },
  kinds: { place: 'Place', household: 'Household', vulnerable: 'Vulnerable person', point: 'Hazard / monitoring point', region: 'Region' },
  categories: { elderly_alone: 'Elderly, living alone', left_behind_child: 'Left-behind child', disabled: 'Disabled', ill: 'Seriously ill', pregnant: 'Pregnant / new mother', other: 'Other' },
  roles: { flood: 'Flood-control officer', guardian: 'Assigned guardian', grid: 'Grid worker', informant: 'Disaster informant', cadre: 'Village cadre', township: 'Township officer', county: 'County officer', other: 'Other' },
};

let merged = false;
/** Adds the messages to the app's i18n once (also when this module loads, for the router's title). */
export function useRosterMessages(): void {
  if (merged) return;
  merged = true;
  i18n.global.mergeLocaleMessage('zh-CN', { roster: zhCN });
  i18n.global.mergeLocaleMessage('en', { roster: en });
}
useRosterMessages();

// The server's messages are English (API users read them); the roster's in Chinese when the UI is.
const ZH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^must be a mainland mobile number of 11 digits \(got (\d+)\)$/, (m) => `手机号应为 11 位（当前 ${m[1]} 位）`],
  [/^must be a mainland mobile number.*$/, () => '应为大陆手机号：11 位，以 13–19 开头'],
  [/^is already the phone of (.+?) \(person (\d+), (\d+)\).*$/, (m) => `已是责任人“${m[1]}”（编号 ${m[2]}，${m[3]}）的手机号；手机号全库唯一`],
  [/^is already registered for a responsible person outside your region$/, () => '已被您管辖范围外的责任人登记'],
  [/^is already registered for another responsible person$/, () => '已被其他责任人登记'],
  [/^(\d+) is already on the roster \((.+), person (\d+)\).*$/, (m) => `${m[1]} 已在名册中（${m[2]}，编号 ${m[3]}）；如需修改，请选择“新增或更新”方式导入`],
  [/^(\d+) appears again \(first on row (\d+)\)$/, (m) => `${m[1]} 重复（首次出现在第 ${m[2]} 行）`],
  [/^would close a loop in the chain of superiors \((.+)\).*$/, (m) => `上级关系将形成闭环（${m[1]}）：预警会循环升级而到不了县级`],
  [/^a person cannot be their own superior$/, () => '不能将本人设为上级'],
  [/^there is no responsible person (\d+) in your region$/, (m) => `您的管辖范围内没有编号为 ${m[1]} 的责任人`],
  [/^no responsible person with phone (\d+) is on the roster of your region( or in this file)?$/, (m) => `您管辖范围内的名册${m[2] ? '和本文件' : ''}中没有手机号为 ${m[1]} 的责任人`],
  [/^(\d+) is the phone of a responsible person outside your region$/, (m) => `${m[1]} 是您管辖范围外责任人的手机号`],
  [/^the superior's row \(row (\d+)\) could not be imported$/, (m) => `上级所在行（第 ${m[1]} 行）未能导入`],
  [/^the person with phone (\d+) \(sheet (.+), row (\d+)\) could not be imported$/, (m) => `手机号 ${m[1]} 的责任人（${m[2]}表第 ${m[3]} 行）未能导入`],
  [/^unknown role "(.+?)".*$/, (m) => `未知角色“${m[1]}”`],
  [/^unknown kind "(.+?)".*$/, (m) => `未知类别“${m[1]}”`],
  [/^unknown category "(.+?)".*$/, (m) => `未知人员类别“${m[1]}”`],
  [/^give at least one role$/, () => '至少选择一个角色'],
  [/^is required for a vulnerable person.*$/, () => '特殊人群须填写人员类别（独居老人、留守儿童等）'],
  [/^is only for kind vulnerable.*$/, () => '仅“特殊人群”填写人员类别'],
  [/^give both lon and lat, or neither$/, () => '经度、纬度应同时填写或同时不填'],
  [/^must be a whole number of people from 0 to (\d+)$/, (m) => `应为 0 到 ${m[1]} 之间的整数`],
  [/^must be an e-mail address.*$/, () => '电子邮箱格式不正确'],
  [/^region (\d+) is outside your region (\d+)$/, (m) => `行政区划 ${m[1]} 不在您的管辖范围（${m[2]}）内`],
  [/^(.+) \((\d+)\) is a (province|prefecture|country): give a county, township or village$/, (m) => `${m[1]}（${m[2]}）不是县、乡镇或村级区划`],
  [/^must be a GB\/T 2260 code of 6 \(county\).*$/, () => '行政区划代码应为 6（县）、9（乡镇）或 12（村）位数字'],
  [/^(-?[\d.]+) is outside (.+?) \((\d+)\).*$/, (m) => `${m[1]} 不在 ${m[2]}（${m[3]}）范围内`],
  [/^there is no user (.+) in your region$/, (m) => `您的管辖范围内没有账号 ${m[1]}`],
  [/^the account (.+) is already linked to responsible person (\d+)$/, (m) => `账号 ${m[1]} 已关联编号为 ${m[2]} 的责任人`],
  [/^the account (.+) is already given on row (\d+)$/, (m) => `账号 ${m[1]} 已在第 ${m[2]} 行使用`],
  [/^is (\d+): leave it empty to add an assignment.*$/, (m) => `编号为 ${m[1]}：新增时请留空，如需修改请选择“新增或更新”方式`],
  [/^there is no assignment (\d+) in your region$/, (m) => `您的管辖范围内没有编号为 ${m[1]} 的包保对象`],
  [/^assignment (\d+) belongs to (.+?) \((\d+)\).*$/, (m) => `包保对象 ${m[1]} 属于 ${m[2]}（${m[3]}）；如需改给他人，请删除后重新添加`],
  [/^"(.+)" is not a number$/, (m) => `“${m[1]}”不是数字`],
  [/^(.+) is not a whole number$/, (m) => `${m[1]} 不是整数`],
  [/^"(.+)" is neither 是 nor 否$/, (m) => `“${m[1]}”应为“是”或“否”`],
  [/^(.+) is not a phone number.*$/, (m) => `${m[1]} 不是手机号（请将该列设为文本格式）`],
  [/^sheet (.+): missing column (.+?) \(.+\)$/, (m) => `${m[1]}表缺少列“${m[2]}”`],
  [/^the file has no rows under the header row$/, () => '表头下没有数据行'],
  [/^must not be empty$/, () => '不能为空'],
  [/^is required$/, () => '必填'],
];

export function localizeRosterMessage(message: string): string {
  if (currentLocale.value !== 'zh-CN' || !message) return message;
  for (const [re, fmt] of ZH) {
    const m = message.match(re);
    if (m) return fmt(m);
  }
  return localizeFieldMessage(message);
}
