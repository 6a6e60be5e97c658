// The few colours status uses, each tied to a meaning. Colour is decided once (lib/cli/io.ts
// useColor) and passed down; these functions never look at the terminal themselves.
import { paint } from '../cli/io.ts';
import type { Health, Severity } from '../model/types.ts';

export function paintHealth(on: boolean, h: Health): string {
  const style = h === 'Healthy' ? 'green' : h === 'Degraded' ? 'yellow' : h === 'Blocked' ? 'red' : 'cyan';
  return paint(on, style, h);
}

export function severityLabel(s: Severity): string {
  return s === 'error' ? 'ERROR' : s === 'warning' ? 'WARNING' : 'INFO';
}

export function paintSeverity(on: boolean, s: Severity, text: string = severityLabel(s)): string {
  return paint(on, s === 'error' ? 'red' : s === 'warning' ? 'yellow' : 'cyan', text);
}

export function heading(on: boolean, text: string): string {
  return paint(on, 'bold', text);
}
