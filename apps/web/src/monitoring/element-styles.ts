// Styles of the Element Plus components the monitoring screens use beyond those src/element.ts
// loads for the whole app (imported by the monitoring pages, so they load with them).
import 'element-plus/es/components/drawer/style/css';
import 'element-plus/es/components/overlay/style/css';
import 'element-plus/es/components/cascader/style/css';
import 'element-plus/es/components/cascader-panel/style/css';
import 'element-plus/es/components/radio/style/css';
import 'element-plus/es/components/radio-group/style/css';
import 'element-plus/es/components/radio-button/style/css';
import 'element-plus/es/components/checkbox/style/css';
import 'element-plus/es/components/timeline/style/css';
import 'element-plus/es/components/timeline-item/style/css';
import 'element-plus/es/components/segmented/style/css';
import 'element-plus/es/components/popconfirm/style/css';
import 'element-plus/es/components/popover/style/css';
import 'element-plus/es/components/pagination/style/css';
