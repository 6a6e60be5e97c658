// kubectl's borderless, left-aligned columns (three spaces apart), built with cli-table3.
// cli-table3 would colour headers and borders by itself even on a pipe: its styles are emptied
// and cells arrive already coloured (or not) by the caller.
import Table from 'cli-table3';

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '   ',
};

/** Rows of cells -> lines without trailing spaces, each ending in "\n". */
export function columns(head: string[], rows: string[][], indent = ''): string {
  const t = new Table({
    head,
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const r of rows) t.push(r);
  return (
    t
      .toString()
      .split('\n')
      .map((l) => indent + l.replace(/ +$/, ''))
      .join('\n') + '\n'
  );
}
