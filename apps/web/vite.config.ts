import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev --workspace @anlan/web` proxies the API to a running `anlan start`
// (default port 3217; override with ANLAN_API_URL).
const apiTarget = globalThis.process?.env?.ANLAN_API_URL ?? 'http://127.0.0.1:3217';

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: apiTarget } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl alone is ~1 MB minified; it lives in the lazily loaded map chunk.
    chunkSizeWarningLimit: 1200,
  },
});
