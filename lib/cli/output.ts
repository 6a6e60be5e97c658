// -o/--output, validated here rather than with yargs `choices` so a bad value is one kubectl-style line.
import { UsageError } from './exit.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: unknown, allowed: readonly string[] = OUTPUT_FORMATS): OutputFormat {
  const v = value === undefined || value === null || value === '' ? 'table' : String(value);
  if (!allowed.includes(v)) {
    throw new UsageError(
      `error: unable to match a printer suitable for the output format "${v}", allowed formats are: ${allowed.join(',')}`,
    );
  }
  return v as OutputFormat;
}

export function isMachineFormat(f: OutputFormat): f is 'json' | 'yaml' {
  return f === 'json' || f === 'yaml';
}
