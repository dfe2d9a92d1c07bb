/// <reference types="vite/client" />
import type { vLoading } from 'element-plus';

declare module 'vue' {
  interface GlobalDirectives {
    vLoading: typeof vLoading;
  }
}

declare global {
  interface Window {
    /** the region map, exposed in dev builds or when __ANLAN_TEST__ / localStorage anlan.debug=1 is set */
    __anlanMap?: import('maplibre-gl').Map;
    __ANLAN_TEST__?: boolean;
  }
}

export {};
