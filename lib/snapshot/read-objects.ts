// Kubernetes objects out of files as kubectl writes them: `-o yaml` / `-o json` of one object, of
// a `kind: List`, a multi-document YAML stream, or a directory of such files. Errors name the file
// and, for YAML, the line.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ExitError } from '../cli/exit.ts';
import type { KObject } from '../model/types.ts';
import { ListDecoder } from '../kube/list-decoder.ts';
import { FastYaml, Unsupported, fileSource, textSource, type ByteSource } from './fast-yaml.ts';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ReadResult {
  objects: KObject[];
  files: string[];
}

/** `-` reads stdin. */
export function readObjects(path: string, stdin: () => string = () => readFileSync(0, 'utf8')): ReadResult {
  if (path === '-') return { objects: parseObjects(stdin(), '(stdin)'), files: ['-'] };
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ExitError(`error: the path "${path}" does not exist`);
  }
  const files = isDir ? filesUnder(path) : [path];
  if (isDir && files.length === 0) throw new ExitError(`error: the directory "${path}" holds no .yaml, .yml or .json file`);
  const objects: KObject[] = [];
  for (const f of files) {
    const fast = jsonObjects(f) ?? fastObjects(f, () => fileSource(f));
    if (fast) {
      for (const o of fast) objects.push(o);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new ExitError(`error: cannot read "${f}": ${(e as Error).message.split('\n')[0]}`);
    }
    for (const o of parseObjects(text, f)) objects.push(o);
  }
  return { objects, files };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(p);
  }
  return out;
}

/**
 * Objects of a file of `kubectl get -o json` output, read in chunks and parsed item by item (the
 * LIST decoder of the API client): the file is never held whole. undefined when the file does not
 * start with '{' or is not right (then it is read whole, and errors are worded, as before).
 */
function jsonObjects(file: string): KObject[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const decoder = new ListDecoder();
    for (let first = true; ; first = false) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      if (first && chunk.toString('latin1', 0, Math.min(n, 256)).trimStart()[0] !== '{') return undefined;
      decoder.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    const out: KObject[] = [];
    flatten(decoder.end(), file, 1, out);
    return out;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Objects by the fast reader of kubectl's YAML, streamed; undefined when the input is not in its
 * subset (JSON, anchors, ...) or is not right (then js-yaml reads it again and words the error).
 */
function fastObjects(file: string, open: () => { source: ByteSource; close?: () => void }): KObject[] | undefined {
  let src: ReturnType<typeof open>;
  try {
    src = open();
  } catch {
    return undefined; // the slow path reports an unreadable file
  }
  try {
    const out: KObject[] = [];
    let n = 0;
    new FastYaml(src.source).read((doc) => flatten(doc, file, ++n, out));
    return out;
  } catch (e) {
    if (e instanceof Unsupported || e instanceof ExitError) return undefined;
    throw e;
  } finally {
    src.close?.();
  }
}

export function parseObjects(text: string, file: string): KObject[] {
  const fast = fastObjects(file, () => ({ source: textSource(text) }));
  if (fast) return fast;
  const docs = parseDocuments(text, file);
  const out: KObject[] = [];
  docs.forEach((doc, i) => flatten(doc, file, i + 1, out));
  return out;
}

function parseDocuments(text: string, file: string): unknown[] {
  const t = text.replace(/^\uFEFF/, '');
  const first = t.trimStart()[0];
  // JSON first: much faster than YAML on large dumps, and `kubectl get -o json` starts with '{'.
  if (first === '{' || first === '[') {
    try {
      const v = JSON.parse(t);
      return Array.isArray(v) ? v : [v];
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      // Flow-style YAML also starts with '{': only report a JSON error when YAML cannot read it either.
      try {
        return loadAll(t);
      } catch (ye) {
        // Node 20's JSON errors carry no position for some inputs: the YAML parser's line (JSON is YAML) does.
        const y = ye as { reason?: string; mark?: { line: number } };
        const line = pos ? lineAt(t, Number(pos[1])) : y.mark ? y.mark.line + 1 : undefined;
        const reason = pos ? msg.replace(/ in JSON at position \d+.*$/s, '') : (y.reason ?? msg.split('\n')[0].slice(0, 120));
        throw new ExitError(`error: cannot parse "${file}" as JSON: ${line ? `line ${line}: ` : ''}${reason}`);
      }
    }
  }
  try {
    return loadAll(t);
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const where = err.mark ? `line ${err.mark.line + 1}: ` : '';
    throw new ExitError(`error: cannot parse "${file}" as YAML: ${where}${err.reason ?? String(err.message).split('\n')[0]}`);
  }
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function flatten(doc: unknown, file: string, n: number, out: KObject[], listKind?: string): void {
  if (doc === null || doc === undefined) return; // empty document, e.g. a trailing '---'
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ExitError(`error: "${file}" document ${n} is not a Kubernetes object (expected the output of kubectl get -o yaml or -o json)`);
  }
  const o = doc as KObject;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
    const itemKind = o.kind === 'List' ? undefined : o.kind.slice(0, -4);
    for (const item of o.items) flatten(item, file, n, out, itemKind ?? listKind);
    return;
  }
  if (!o.kind && listKind) o.kind = listKind;
  if (typeof o.kind !== 'string' || !o.metadata || typeof o.metadata !== 'object' || typeof o.metadata.name !== 'string') {
    throw new ExitError(`error: "${file}" document ${n} holds an object without kind or metadata.name (expected the output of kubectl get -o yaml or -o json)`);
  }
  out.push(o);
}
