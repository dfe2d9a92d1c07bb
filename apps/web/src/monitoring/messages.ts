// The registry's and the ingest's messages are English (API users read them); the common ones in
// Chinese when the UI is, for the import report and the forms of the monitoring screens.
import { currentLocale } from '../i18n';
import { localizeFieldMessage } from '../form-errors';

const ZH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [
    /^(-?[\d.]+) is outside (.+?) \((\d+)\), which spans ([^;]+?)(; lon and lat look swapped)?$/,
    (m) => `${m[1]} 不在 ${m[2]}（${m[3]}）范围内（${m[4]}）${m[5] ? '；经纬度似乎填反了' : ''}`,
  ],
  [
    /^(-?[\d.]+) is outside (.+?) \((\d+)\), which contains (.+?) and spans ([^;]+?)(; lon and lat look swapped)?$/,
    (m) => `${m[1]} 不在 ${m[2]}（${m[3]}，含 ${m[4]}）范围内（${m[5]}）${m[6] ? '；经纬度似乎填反了' : ''}`,
  ],
  [/^(-?[\d.]+) is outside the measuring range (.+)$/, (m) => `${m[1]} 超出量程 ${m[2]}`],
  // the ingest's reasons (异常数据)
  [/^(\S+) is outside the sensor's measuring range (.+)$/, (m) => `${m[1]} 超出传感器量程 ${m[2]}`],
  [/^no sensor "(.+)" is registered$/, (m) => `未登记编码为“${m[1]}”的传感器`],
  [/^sensor "(.+)" is not in your region \((\d+)\)$/, (m) => `传感器“${m[1]}”不在上报方的管辖范围（${m[2]}）内`],
  [/^sensor "(.+)" is disabled$/, (m) => `传感器“${m[1]}”已停用`],
  [/^"value" must be a finite number$/, () => '数值应为有效数字'],
  [/^"ts" must be ISO 8601 with a time zone offset.*$/, () => '时间应为带时区的 ISO 8601 格式（如 2026-11-23T10:00:00+08:00）或毫秒时间戳'],
  [/^(\S+) is more than 5 minutes ahead of the server clock$/, (m) => `${m[1]} 比服务器时钟超前 5 分钟以上`],
  [/^(\S+) is older than the retention window$/, (m) => `${m[1]} 早于数据保存期限`],
  [/^another reading of this sensor at the same instant is earlier in the batch$/, () => '同一批数据中已有该传感器同一时刻的读数'],
  [/^a reading must be an object.*$/, () => '每条读数应为 JSON 对象 { "sensor", "ts", "value" }'],
  [/^"sensor" must be a sensor code.*$/, () => '"sensor" 应为传感器编码（1–64 个字符）'],
  [/^is already used by another sensor.*$/, () => '该编码已被其他传感器使用（编码不区分大小写）'],
  [/^(.+) already exists: import with mode=upsert to change it$/, (m) => `${m[1]} 已存在；如需修改，请选择“新增或更新”方式导入`],
  [/^(.+) appears again \(first on row (\d+)\)$/, (m) => `${m[1]} 重复（首次出现在第 ${m[2]} 行）`],
  [/^there is no monitoring point (\d+) in your region$/, (m) => `您的管辖范围内没有编号为 ${m[1]} 的监测点`],
  [/^there is no monitoring point named "(.+)"(.*)$/, (m) => `没有名为“${m[1]}”的监测点${m[2] ? m[2] : ''}`],
  [/^must be greater than rangeMin \((.+)\)$/, (m) => `应大于量程下限（${m[1]}）`],
  [
    /^must be (greater|less) than (blue|yellow|orange) \((.+?)\): with direction "(above|below)".*$/,
    (m) => `应${m[1] === 'greater' ? '大于' : '小于'}${({ blue: '蓝色', yellow: '黄色', orange: '橙色' } as Record<string, string>)[m[2]!]}阈值（${m[3]}）：方向为“${m[4] === 'above' ? '高于' : '低于'}”时各级依次${m[4] === 'above' ? '升高' : '降低'}`,
  ],
  [/^give both ends of the measuring range, or neither$/, () => '量程上下限应同时填写或同时不填'],
  [/^must be a longitude in degrees.*$/, () => '经度应在 -180 到 180 之间（WGS84）'],
  [/^must be a latitude in degrees.*$/, () => '纬度应在 -90 到 90 之间（WGS84）'],
  [/^must be whole seconds from 1 to 86400$/, () => '应为 1 到 86400 之间的整数秒'],
  [/^must not be empty$/, () => '不能为空'],
  [/^must be a number$/, () => '应为数字'],
  [/^is required$/, () => '必填'],
  [/^missing column (.+?) \((.+)\)$/, (m) => `缺少列“${m[1]}”`],
  [/^the file has no rows under the header row$/, () => '表头下没有数据行'],
  [/^region (\d+) is outside your region (\d+)$/, (m) => `行政区划 ${m[1]} 不在您的管辖范围（${m[2]}）内`],
];

export function localizeMonitoringMessage(message: string): string {
  if (currentLocale.value !== 'zh-CN' || !message) return message;
  for (const [re, fmt] of ZH) {
    const m = message.match(re);
    if (m) return fmt(m);
  }
  return localizeFieldMessage(message);
}
