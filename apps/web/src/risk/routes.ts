// The 风险辨识 screens under /risk, as children of the app shell (router.ts spreads them in).
// Importing this module also installs the screens' messages, so the menu and titles have them.
import type { RouteRecordRaw } from 'vue-router';
import './messages';

export const riskRoutes: RouteRecordRaw[] = [
  { path: 'risk', redirect: '/risk/enterprises' },
  {
    path: 'risk/enterprises',
    name: 'risk-enterprises',
    component: () => import('../pages/risk/EnterprisesPage.vue'),
    meta: { title: 'risk.nav.enterprises' },
  },
  {
    path: 'risk/enterprises/:id(\\d+)',
    name: 'risk-enterprise',
    component: () => import('../pages/risk/EnterpriseDetailPage.vue'),
    meta: { title: 'risk.nav.enterprise' },
  },
  {
    path: 'risk/places',
    name: 'risk-places',
    component: () => import('../pages/risk/PlacesPage.vue'),
    meta: { title: 'risk.nav.places' },
  },
  {
    path: 'risk/map',
    name: 'risk-map',
    component: () => import('../pages/risk/RiskMapPage.vue'),
    meta: { title: 'risk.nav.map' },
  },
];
