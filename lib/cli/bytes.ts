// Byte sizes on the command line (--max-lag): plain bytes or Kubernetes quantity suffixes
// (Ki Mi Gi Ti binary, k M G T decimal), an optional trailing "B" tolerated: 16Mi, 16MiB, 500k.
import { UsageError } from './exit.ts';

const FACTOR: Record<string, number> = {
  '': 1,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
  ti: 1024 ** 4,
  k: 1000,
  m: 1000 ** 2,
  g: 1000 ** 3,
  t: 1000 ** 4,
};

export function parseBytes(text: string | number, flag: string): number {
  const t = String(text).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|K|M|G|T)?B?$/.exec(t);
  if (!m) {
    throw new UsageError(`error: invalid argument "${text}" for "--${flag}" flag: expected a byte count such as 16777216, 16Mi or 500k`);
  }
  const unit = (m[2] ?? '').toLowerCase();
  return Math.round(Number(m[1]) * FACTOR[unit]);
}
