import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError } from './api';
import { t, currentLocale } from './i18n';

// The API's field messages are English; show the common ones in Chinese when the UI is.
const ZH_FIELD_MESSAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^already taken$/i, () => '已被占用'],
  [/^is not correct$/i, () => '不正确'],
  [/^must be at least (\d+) characters$/i, (m) => `至少 ${m[1]} 个字符`],
  [/^must be at most (\d+) characters$/i, (m) => `不能超过 ${m[1]} 个字符`],
  [/^must NOT have fewer than (\d+) characters$/i, (m) => `至少 ${m[1]} 个字符`],
  [/^must NOT have more than (\d+) characters$/i, (m) => `不能超过 ${m[1]} 个字符`],
  [/^must match pattern/i, () => '格式不正确'],
  [/^must be equal to one of the allowed values$/i, () => '取值无效'],
  [/^must have required property/i, () => '必填'],
  [/^unknown field$/i, () => '未知字段'],
  [/^must be a GB\/T 2260 code/i, () => '行政区划代码应为 6、9 或 12 位数字'],
  [/^region (\d+) is outside your scope$/i, (m) => `行政区划 ${m[1]} 不在您的管辖范围内`],
  [/^unknown region code (\d+)$/i, (m) => `行政区划代码 ${m[1]} 不存在`],
];

export function localizeFieldMessage(message: string): string {
  if (currentLocale.value !== 'zh-CN') return message;
  for (const [re, fmt] of ZH_FIELD_MESSAGES) {
    const m = message.match(re);
    if (m) return fmt(m);
  }
  return message;
}

/**
 * Server-side validation errors for a form: problem+json `errors[]` are shown next to the
 * matching el-form-item (via its `error` prop); anything else becomes a toast.
 */
export function useServerErrors(fields: readonly string[]) {
  const errors = reactive<Record<string, string>>({});
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k];
  }
  /** returns true when at least one message could be placed next to a field */
  function apply(e: unknown): boolean {
    clear();
    if (!(e instanceof ApiError)) {
      ElMessage.error(t('common.failed', { detail: String((e as Error)?.message ?? e) }));
      return false;
    }
    if (e.status === 0) {
      ElMessage.error(t('common.networkError'));
      return false;
    }
    const byField = e.fieldErrors();
    let placed = false;
    const unplaced: string[] = [];
    for (const [field, raw] of Object.entries(byField)) {
      const msg = raw.split('；').map(localizeFieldMessage).join('；');
      if (fields.includes(field)) {
        errors[field] = msg;
        placed = true;
      } else unplaced.push(msg);
    }
    if (!placed || unplaced.length) {
      const detail = unplaced.join('；') || e.detail || e.title || String(e.status);
      ElMessage.error(e.status === 403 ? t('common.forbidden') : t('common.failed', { detail }));
    }
    return placed;
  }
  return { errors, clear, apply };
}

export function toastError(e: unknown): void {
  if (e instanceof ApiError) {
    if (e.status === 0) ElMessage.error(t('common.networkError'));
    else if (e.status === 403) ElMessage.error(t('common.forbidden'));
    else if (e.status !== 401) ElMessage.error(t('common.failed', { detail: e.detail || e.title || String(e.status) }));
  } else ElMessage.error(t('common.failed', { detail: String((e as Error)?.message ?? e) }));
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok: boolean;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}
