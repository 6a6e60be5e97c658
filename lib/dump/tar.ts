// A gzipped ustar archive of regular files, written and read in memory: what `dump -f x.tar.gz`
// writes and `status --from x.tar.gz` reads. Only the subset these two need (flat names of at most
// 100 bytes, regular files); anything else in an archive is skipped, not trusted.
import { gunzipSync, gzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  h.write(name, 0, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(mtime / 1000), 12), 136);
  h.write('        ', 148); // checksum counted as spaces
  h.write('0', 156); // regular file
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

export function writeTarGz(entries: TarEntry[], mtime: number = Date.now()): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.data.length, mtime), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}

function field(h: Buffer, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? len : end).toString('utf8');
}

/** The regular files of a .tar.gz; throws a one-line Error when it is not one. */
export function readTarGz(archive: Buffer): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch (e) {
    throw new Error(`not a gzip archive (${(e as Error).message})`);
  }
  const out: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const stored = parseInt(field(h, 148, 8).trim() || 'NaN', 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (stored !== sum) throw new Error(`not a tar archive (bad header checksum at byte ${at})`);
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    const prefix = field(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    const dataAt = at + BLOCK;
    if (dataAt + size > tar.length) throw new Error(`tar: ${name} is cut short`);
    if (type === '0') out.push({ name, data: Buffer.from(tar.subarray(dataAt, dataAt + size)) });
    at = dataAt + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}
