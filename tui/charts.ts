/**
 * Text charts for the terminal: a braille-free, ASCII-safe line chart and a progress bar, so the
 * dashboard renders in any terminal font.
 */

/** A bar like `[#######.....] 58%` of the given width (brackets included). */
export function progressBar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const inner = Math.max(1, width - 2);
  const full = Math.round(f * inner);
  return `[${'#'.repeat(full)}${'.'.repeat(inner - full)}]`;
}

/**
 * Plot values as a small line chart: `height` rows of `width` columns, newest values at the right,
 * with the min and max printed on the left. Returns the rows top to bottom.
 */
export function lineChart(values: readonly number[], width: number, height: number): string[] {
  const vals = values.filter((v) => Number.isFinite(v));
  const labelW = 8;
  const plotW = Math.max(4, width - labelW - 1);
  if (vals.length === 0) return Array.from({ length: height }, (_, i) => (i === 0 ? 'no data yet' : ''));
  // Resample to the plot width: take the last plotW values, or stretch when fewer.
  const shown = vals.slice(-plotW);
  let lo = Math.min(...shown);
  let hi = Math.max(...shown);
  if (hi === lo) {
    hi += 0.5;
    lo -= 0.5;
  }
  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: shown.length }, () => ' '));
  let prevRow = -1;
  shown.forEach((v, x) => {
    const row = height - 1 - Math.round(((v - lo) / (hi - lo)) * (height - 1));
    if (prevRow >= 0 && Math.abs(row - prevRow) > 1) {
      const [a, b] = row < prevRow ? [row + 1, prevRow] : [prevRow + 1, row];
      for (let r = a; r < b; r++) grid[r]![x] = '|';
    }
    grid[row]![x] = '*';
    prevRow = row;
  });
  const fmt = (v: number): string => {
    const s = Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(Math.abs(v) >= 100 ? 0 : 3);
    return s.slice(0, labelW).padStart(labelW);
  };
  return grid.map((cells, r) => {
    const label = r === 0 ? fmt(hi) : r === height - 1 ? fmt(lo) : ' '.repeat(labelW);
    return `${label} ${cells.join('')}`;
  });
}
