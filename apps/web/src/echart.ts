import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import * as echarts from 'echarts/core';

/**
 * An ECharts instance bound to a component's element: created on mount, resized with the element,
 * disposed on unmount. Returns a getter (null before mount and after unmount).
 */
export function useEChart(el: Ref<HTMLElement | undefined>, mounted: () => void): () => echarts.ECharts | null {
  let chart: echarts.ECharts | null = null;
  let observer: ResizeObserver | null = null;
  onMounted(() => {
    chart = echarts.init(el.value!, undefined, { renderer: 'canvas' });
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value!);
    mounted();
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart?.dispose();
    chart = null;
  });
  return () => chart;
}
