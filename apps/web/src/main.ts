import { createApp } from 'vue';
import { ElLoading } from 'element-plus';
import './element';
import './styles.css';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import { onUnauthorized } from './api';
import { clearSession, loadSystemInfo } from './session';

// Session expired or revoked while using the app: back to the login page.
onUnauthorized(() => {
  clearSession();
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});

void loadSystemInfo();

const app = createApp(App);
app.use(i18n);
app.use(router);
app.use(ElLoading);
app.mount('#app');
