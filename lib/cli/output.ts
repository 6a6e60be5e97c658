// -o/--output, validated here rather than with yargs `choices` so a bad value is one kubectl-style line.
import { UsageError } from './exit.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat<F extends string = OutputFormat>(value: unknown, allowed: readonly F[] = OUTPUT_FORMATS as unknown as readonly F[]): F {
  const v = value === undefined || value === null || value === '' ? 'table' : String(value);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(
      `error: unable to match a printer suitable for the output format "${v}", allowed formats are: ${allowed.join(',')}`,
    );
  }
  return v as F;
}

/** status also prints metrics (Prometheus text exposition). */
export const STATUS_OUTPUT_FORMATS = [...OUTPUT_FORMATS, 'prometheus'] as const;
export type StatusOutputFormat = (typeof STATUS_OUTPUT_FORMATS)[number];

export function isMachineFormat(f: StatusOutputFormat): f is 'json' | 'yaml' | 'prometheus' {
  return f === 'json' || f === 'yaml' || f === 'prometheus';
}
