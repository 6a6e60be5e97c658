// Output streams that know whether they are a terminal, injected so tests can flip TTY and colour.
import { styleText } from 'node:util';

export interface IO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  color: boolean;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export type ColorMode = 'auto' | 'always' | 'never';

export function useColor(mode: ColorMode, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

export function processIO(mode: ColorMode = 'auto'): IO {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY,
    color: useColor(mode, isTTY),
    // A getter: making process.stdin costs milliseconds, and few verbs read it.
    get stdin() {
      return process.stdin;
    },
  };
}

/** Captures output in memory (tests, and verbs that render before deciding where to print). */
export function memoryIO(opts: { isTTY?: boolean; color?: boolean } = {}): IO & { stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  return {
    out: (t) => (o += t),
    err: (t) => (e += t),
    isTTY: opts.isTTY ?? false,
    color: opts.color ?? false,
    stdout: () => o,
    stderr: () => e,
  };
}

type Style = 'red' | 'yellow' | 'green' | 'cyan' | 'bold' | 'dim';
export function paint(on: boolean, style: Style, text: string): string {
  // validateStream: false because the decision was already made by useColor (--color always
  // must colour a pipe too); styleText would otherwise drop colour whenever stdout is not a TTY.
  return on ? styleText(style, text, { validateStream: false }) : text;
}
