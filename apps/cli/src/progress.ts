// A one-line progress bar on stderr (a TTY redraws in place; a log file gets one line per stage).
export class ProgressBar {
  private lastStage = '';
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(stage: string, done: number, total: number): void {
    const now = Date.now();
    const finished = done >= total;
    if (!this.stream.isTTY) {
      if (stage !== this.lastStage) this.stream.write(`${stage}…\n`);
      this.lastStage = stage;
      return;
    }
    if (stage === this.lastStage && !finished && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const width = 24;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.stream.write(`\r\x1b[2K${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${stage} (${done}/${total})`);
    if (finished) this.stream.write('\n');
    this.lastStage = stage;
  }
}

const STAGE_LABELS: Record<string, string> = {
  initdb: '初始化嵌入式数据库 (initialising embedded database)',
  open: '打开数据库 (opening database)',
  regions: '导入行政区划 (loading regions)',
  boundaries: '导入边界 (loading boundaries)',
};

export function stageLabel(stage: string): string {
  if (stage.startsWith('migrate ')) return `数据库迁移 (migration) ${stage.slice(8)}`;
  return STAGE_LABELS[stage] ?? stage;
}
