// The fast YAML reader against js-yaml (the reference): same value for everything it accepts,
// Unsupported for everything else, whatever the chunk size the input arrives in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, loadAll } from 'js-yaml';
import { FastYaml, Unsupported, textSource } from '../../../lib/snapshot/fast-yaml.ts';
import { parseObjects } from '../../../lib/snapshot/read-objects.ts';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const RECORDED = resolve(REPO, '../shared/fixtures/pgo');

function fast(text: string, chunk = 1 << 20): unknown[] {
  const docs: unknown[] = [];
  new FastYaml(textSource(text), chunk).read((d) => docs.push(d));
  return docs;
}

const reference = (text: string) => (loadAll(text) as unknown[]).filter((d) => d !== null && d !== undefined);

function same(text: string, why = text) {
  const want = reference(text);
  for (const chunk of [7, 64, 1 << 20]) assert.equal(fast(text, chunk), want, `${why} (chunks of ${chunk})`);
}

function refused(text: string) {
  try {
    fast(text);
  } catch (e) {
    assert.ok(e instanceof Unsupported, `expected Unsupported for ${JSON.stringify(text)}, got ${e}`);
    return;
  }
  assert.unreachable(`expected Unsupported for ${JSON.stringify(text)}`);
}

test('the recorded dumps read as js-yaml reads them, in any chunk size', () => {
  for (const f of ['v5.8.9/recorded/healthy.yaml', 'v5.8.9/recorded/switchover-stuck-target-is-primary.yaml', 'v6.0.3/recorded/healthy.yaml']) {
    same(readFileSync(resolve(RECORDED, f), 'utf8'), f);
  }
});

test('scalars are typed as js-yaml types them', () => {
  same(
    [
      'a: 1', 'b: -2', 'c: 1.5', 'd: 1e3', 'e: 0x1F', 'f: 0o17', 'g: 1_000', 'h: 10.244.0.5', 'i: true', 'j: False',
      'k: null', 'l: ~', 'm: nully', 'n: "1"', "o: '2'", 'p: 1Gi', 'q: v1beta1', 's: +1', 't: 0123', 'u: .5',
      'v: -.5', 'w: yes', 'x: on', 'y: 2026-11-25', 'z:',
    ].filter((l) => !l.startsWith('y:')).join('\n'),
  );
  same('"key with: colon": 1\n\'single\': 2\n3: three\ntrue: t\nnull: n\n');
});

test('quoted scalars: escapes, doubled quotes, several lines folded', () => {
  same(`a: "tab\\there \\"q\\" \\u00e9 \\x41 \\\\ \\/"\nb: 'it''s'\nc: 'one\n  two\n\n  three'\nd: "x\n  y \\\n  z"\ne: "a  \n\n\n  b"\nf: ''\ng: ""\n`);
  same(`- 'message: with a colon' # comment\n- "#not a comment"\n- a #comment\n`);
});

test('literal block scalars with every chomping, empty lines, deeper lines', () => {
  same('a: |\n  one\n    two\n\n  three\n\nb: |-\n  x\n\n\nc: |+\n  y\n\n\nd: |\ne: end\n');
  same('- |\n  in a list\n- key: |\n    in a map\n  other: 1\n');
  same('script: |\n  #!/bin/sh\n  # a comment line is text here\n  echo "a: b"\n');
});

test('plain scalars over several lines fold', () => {
  same('a: one\n  two\n\n  three\nb: x\n');
  same('- one\n  two\n- three\n');
});

test('block structure: sequences at the key\'s column, compact maps, empty values, markers, comments, CRLF', () => {
  same('a:\n- 1\n- x: 1\n  y:\n  - 2\n  z: {}\nb: []\nc:\n  d:\n    e: f\n');
  same('# top\n---\na: 1 # c\n...\n---\n# only a comment\n---\nb: 2\n');
  same('a: 1\r\nb:\r\n- x\r\n');
  same('-\n  a: 1\n- b: 2\n');
  same('a:\n\n  # comment\n  b: 1\n');
  same('\uFEFFapiVersion: v1\nkind: List\nitems: []\n');
  same(dump({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'é', labels: { 'a/b': 'c' } }, spec: { x: [1, { y: 'multi\nline\n' }] } }] }));
});

test('anything else is refused, for js-yaml to read or to word the error', () => {
  for (const t of [
    'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: {b: 1}\n', 'a: [1, 2]\n', 'a: >\n  folded\n', 'a: |2\n   x\n', '- - 1\n',
    'a: 1\na: 2\n', '<<: {}\n', 'a:\n\tb: 1\n', 'a: b: c\n', 'just a scalar\n', '%YAML 1.2\n---\na: 1\n', '? a\n: b\n',
    'a: 2026-11-25\n', 'a:\n  b: 1\n c: 2\n', 'a: "open\n', 'a: 1\n  - b\n',
  ]) {
    refused(t);
  }
});

test('parseObjects gives the same objects and the same errors with or without the fast reader', () => {
  const text = readFileSync(resolve(RECORDED, 'v5.8.9/recorded/healthy.yaml'), 'utf8');
  const objs = parseObjects(text, 'x.yaml');
  assert.equal(objs.length, (reference(text)[0] as { items: unknown[] }).items.length);
  assert.throws(() => parseObjects('a: 1\na: 2\n', 'bad.yaml'), /cannot parse "bad.yaml" as YAML: line 2: duplicated mapping key/);
  assert.throws(() => parseObjects('kind: Pod\n', 'bad.yaml'), /document 1 holds an object without kind or metadata.name/);
});

test.run();
