// Helpers of the earthquake rapid assessment page: intensity colours and exports.

/** Seismic intensity VI (light yellow) → XII (darkest red). */
export const INTENSITY_COLOURS: Record<number, string> = {
  6: '#fff2a8',
  7: '#fecc5c',
  8: '#fd8d3c',
  9: '#f03b20',
  10: '#bd0026',
  11: '#800026',
  12: '#4a0015',
};

export const INTENSITIES = [6, 7, 8, 9, 10, 11, 12] as const;

export const PAGER_COLOURS: Record<string, string> = {
  green: '#2e9d4a',
  yellow: '#e6b800',
  orange: '#f07c00',
  red: '#d0021b',
};

export const RUN_ROLES = ['admin', 'commander', 'duty'] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text, CRLF line ends, UTF-8 BOM so that Excel reads Chinese correctly. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function downloadBlob(content: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
