// kubectl's borderless, left-aligned columns (three spaces apart). Laid out here rather than by
// cli-table3: its time grows faster than linearly with rows and with a cell's length (10,000
// clusters: 94 s; one 20,000-character cell: 7 s), and a table must print whatever the fleet or a
// hand-edited dump holds. Cells arrive already coloured (or not) by the caller.

const GAP = '   ';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a cell takes on a terminal: colour codes take none, East Asian wide characters two. */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

/** Not `/ +$/`: a regular expression retries from every space of a long padded run (quadratic). */
function withoutTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 32) end--;
  return line.slice(0, end);
}

/** Rows of cells -> lines without trailing spaces, each ending in "\n". A cell with line breaks
 *  takes as many lines as it has. */
export function columns(head: string[], rows: string[][], indent = ''): string {
  const table = [head, ...rows].map((r) => r.map((c) => String(c ?? '').split('\n')));
  const n = Math.max(...table.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...table.map((r) => Math.max(0, ...(r[i] ?? ['']).map(visibleWidth)))));
  const out: string[] = [];
  for (const r of table) {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      const cells = widths.map((w, i) => {
        const text = r[i]?.[l] ?? '';
        return i === n - 1 ? text : text + ' '.repeat(w - visibleWidth(text));
      });
      out.push(withoutTrailingSpaces(indent + cells.join(GAP)));
    }
  }
  return out.join('\n') + '\n';
}
