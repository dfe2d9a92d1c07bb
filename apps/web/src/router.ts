import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session, ensureSession } from './session';
import { t } from './i18n';
import AppShell from './layouts/AppShell.vue';
import LoginPage from './pages/LoginPage.vue';
import { riskRoutes } from './risk/routes';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title */
    title?: string;
    public?: boolean;
    admin?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'login.submit' } },
  // 一键通: the one-tap link of the SMS answers without a login; /m is the responder's own phone page.
  {
    path: '/a/:token',
    name: 'warning-ack-link',
    component: () => import('./pages/warning/MobileAckPage.vue'),
    meta: { public: true, title: 'warningMobile.title' },
  },
  {
    path: '/m',
    name: 'warning-mobile',
    component: () => import('./pages/warning/MobilePage.vue'),
    meta: { title: 'warningMobile.title' },
  },
  {
    path: '/',
    component: AppShell,
    children: [
      { path: '', redirect: '/regions' },
      {
        path: 'regions/:code?',
        name: 'regions',
        component: () => import('./pages/RegionsPage.vue'),
        meta: { title: 'nav.regions' },
      },
      {
        path: 'assessment/earthquake/:id?',
        name: 'quake',
        component: () => import('./pages/QuakeAssessmentPage.vue'),
        meta: { title: 'nav.quake' },
      },
      {
        path: 'monitoring',
        name: 'monitoring-map',
        component: () => import('./pages/monitoring/MonitoringMapPage.vue'),
        meta: { title: 'monitoring.nav.map' },
      },
      {
        path: 'monitoring/alarms',
        name: 'monitoring-alarms',
        component: () => import('./pages/monitoring/AlarmsPage.vue'),
        meta: { title: 'monitoring.nav.alarms' },
      },
      {
        path: 'monitoring/status',
        name: 'monitoring-status',
        component: () => import('./pages/monitoring/StatusPage.vue'),
        meta: { title: 'monitoring.nav.status' },
      },
      {
        path: 'monitoring/quarantine',
        name: 'monitoring-quarantine',
        component: () => import('./pages/monitoring/QuarantinePage.vue'),
        meta: { title: 'monitoring.nav.quarantine' },
      },
      {
        path: 'monitoring/rules',
        name: 'monitoring-rules',
        component: () => import('./pages/monitoring/RulesPage.vue'),
        meta: { title: 'monitoring.nav.rules' },
      },
      {
        path: 'monitoring/registry',
        name: 'monitoring-registry',
        component: () => import('./pages/monitoring/RegistryPage.vue'),
        meta: { title: 'monitoring.nav.registry' },
      },
      {
        path: 'warning',
        name: 'warnings',
        component: () => import('./pages/warning/WarningListPage.vue'),
        meta: { title: 'warning.nav.list' },
      },
      {
        path: 'warning/roster',
        name: 'warning-roster',
        component: () => import('./pages/warning/RosterPage.vue'),
        meta: { title: 'roster.nav.title' },
      },
      {
        path: 'warning/compose',
        name: 'warning-compose',
        component: () => import('./pages/warning/ComposePage.vue'),
        meta: { title: 'warning.compose.titleNew' },
      },
      {
        path: 'warning/:id(\\d+)',
        name: 'warning-detail',
        component: () => import('./pages/warning/WarningDetailPage.vue'),
        meta: { title: 'warning.nav.list' },
      },
      {
        path: 'warning/:id(\\d+)/edit',
        name: 'warning-edit',
        component: () => import('./pages/warning/ComposePage.vue'),
        meta: { title: 'warning.compose.titleEdit' },
      },
      {
        path: 'warning/:id(\\d+)/:step(update|promote)',
        name: 'warning-step',
        component: () => import('./pages/warning/ComposePage.vue'),
        meta: { title: 'warning.compose.titleUpdate' },
      },
      {
        path: 'admin/users',
        name: 'users',
        component: () => import('./pages/admin/UsersPage.vue'),
        meta: { title: 'nav.users', admin: true },
      },
      {
        path: 'admin/tokens',
        name: 'tokens',
        component: () => import('./pages/admin/TokensPage.vue'),
        meta: { title: 'nav.tokens', admin: true },
      },
      {
        path: 'admin/audit',
        name: 'audit',
        component: () => import('./pages/admin/AuditPage.vue'),
        meta: { title: 'nav.audit', admin: true },
      },
      {
        path: 'warning/:id(\\d+)/board',
        name: 'warning-board',
        component: () => import('./pages/warning/BoardPage.vue'),
        meta: { title: 'warningBoard.title' },
      },
      ...riskRoutes,
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./pages/NotFoundPage.vue'),
        meta: { title: 'notFound.title' },
      },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  await ensureSession();
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: typeof to.query.redirect === 'string' ? to.query.redirect : '/regions' };
    return true;
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  if (to.meta.admin && session.user.role !== 'admin') return { path: '/regions' };
  return true;
});

export function updateTitle(): void {
  const key = router.currentRoute.value.meta.title;
  const app = t('app.name');
  document.title = key ? `${t(key)} - ${app}` : app;
}

router.afterEach(() => updateTitle());
