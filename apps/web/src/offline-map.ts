// One way to make a map in Anlan: offline (a plain background, no tiles, fonts or glyphs are
// fetched, for EOC networks without internet), north-up, with zoom and scale controls, and
// exposed as window.__anlanMap to browser tests and to `localStorage['anlan.debug'] = '1'`.
import { Map as MlMap, NavigationControl, ScaleControl, type StyleSpecification } from 'maplibre-gl';

const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f5' } }],
};

type TestWindow = { __anlanMap?: MlMap; __ANLAN_TEST__?: boolean };

function exposeForTests(m: MlMap): void {
  const w = window as unknown as TestWindow;
  let debug = false;
  try {
    debug = localStorage.getItem('anlan.debug') === '1';
  } catch {
    // storage can be disabled; the handle is then only for dev builds and tests
  }
  if (import.meta.env.DEV || w.__ANLAN_TEST__ === true || debug) w.__anlanMap = m;
}

export function createOfflineMap(container: HTMLElement, opts: { maxZoom: number }): MlMap {
  const m = new MlMap({
    container,
    style: OFFLINE_STYLE,
    center: [104.5, 35.5],
    zoom: 3,
    minZoom: 2,
    maxZoom: opts.maxZoom,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    renderWorldCopies: false,
    fadeDuration: 0,
  });
  m.touchZoomRotate.disableRotation();
  m.keyboard.disableRotation();
  m.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  m.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
  exposeForTests(m);
  return m;
}

export function removeMap(m: MlMap | null | undefined): void {
  m?.remove();
  const w = window as unknown as TestWindow;
  if (w.__anlanMap === m) delete w.__anlanMap;
}
