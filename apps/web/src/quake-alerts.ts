// The notification of an automatic assessment (地震速报 → 自动评估) arriving on the event stream.
import { h, type AppContext } from 'vue';
import { ElButton, ElNotification } from 'element-plus';
import { t } from './i18n';
import { formatNumber, toRoman } from './format';
import type { QuakeCompletedData } from './types';

const shown = new Set<number>();

export function notifyAutomaticAssessment(d: QuakeCompletedData, opts: { appContext: AppContext | null; onOpen: (id: number) => void }): void {
  if (shown.has(d.id)) return;
  shown.add(d.id);
  const text = t('quake.alertMessage', {
    place: d.report?.place || d.epicentre?.name || '',
    m: formatNumber(d.magnitude, 1),
    intensity: t('quake.intensityLabel', { roman: toRoman(d.maxIntensity) }),
    pager: t(`quake.pagerLevels.${d.pagerAlert}`),
  });
  // Orange and red stay until someone acts: at 3 a.m. nobody may be looking when it arrives.
  const severe = d.pagerAlert === 'orange' || d.pagerAlert === 'red';
  const handle = ElNotification(
    {
      title: t('quake.alertTitle'),
      type: d.pagerAlert === 'red' ? 'error' : severe || d.pagerAlert === 'yellow' ? 'warning' : 'info',
      duration: severe ? 0 : 60_000,
      // below the header, so the user menu stays reachable
      offset: 56,
      customClass: `quake-alert quake-alert-${d.pagerAlert}`,
      message: h('div', { class: 'quake-alert-body', 'data-testid': 'quake-alert', 'data-id': String(d.id) }, [
        h('div', { class: 'quake-alert-text' }, text),
        h(
          ElButton,
          {
            type: severe ? 'danger' : 'primary',
            size: 'small',
            'data-testid': 'quake-alert-open',
            onClick: () => {
              handle.close();
              opts.onOpen(d.id);
            },
          },
          () => t('quake.alertOpen'),
        ),
      ]),
    },
    opts.appContext,
  );
}
