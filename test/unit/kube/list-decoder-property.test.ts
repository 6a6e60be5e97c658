// Property-based: for random LIST bodies (strings full of escapes, quotes, brackets and multi-byte
// UTF-8; keys named like the ones the decoder looks for; compact and indented), cut into chunks
// anywhere, the decoder gives exactly JSON.parse(body).items - and with a projection (fieldsV1
// dropped, status's own, or a random one), exactly project() of that (compared as JSON text, so
// key order counts).
// KPGO_FUZZ_RUNS (default 150) and KPGO_FUZZ_SEED (default fixed) reproduce or widen a run.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListDecoder } from '../../../lib/kube/list-decoder.ts';
import { compileProjection, project, WITHOUT_FIELDS_V1, type Projection } from '../../../lib/kube/projection.ts';
import { STATUS_PROJECTIONS } from '../../../lib/kube/status-lists.ts';

const RUNS = Number(process.env.KPGO_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.KPGO_FUZZ_SEED ?? 20261201);

const PIECES = ['"', '\\', '\\"', '\\\\', '{', '}', '[', ']', ',', ':', ' ', 'é', '日本', '😀', '\n', '\t', '\u2028', '\u0000', 'a', '/', 'metadata', 'fieldsV1', 'managedFields', 'items'];
const text = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('metadata', 'managedFields', 'fieldsV1', 'items', ''),
);
const NAMES = ['metadata', 'managedFields', 'fieldsV1', 'spec', 'manager', 'items', '0', '__proto__', 'containers', 'name', 'image', 'replicas', 'template', 'nodeName'];
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NAMES) }, text);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;
/** Shaped like an object of the API: managedFields entries with a fieldsV1 of any kind, often an object. */
const entry = fc.record(
  {
    manager: text,
    operation: fc.constantFrom('Update', 'Apply'),
    fieldsV1: fc.oneof({ weight: 4, arbitrary: fc.dictionary(key, value, { maxKeys: 5 }) }, value),
    subresource: fc.constant('status'),
  },
  { requiredKeys: ['manager'] },
);
const metadata = fc.record(
  { name: text, labels: fc.dictionary(key, text, { maxKeys: 3 }), managedFields: fc.oneof({ weight: 4, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: entry }, value), { maxLength: 3 }) }, value) },
  { requiredKeys: [] },
);
const item = fc.oneof(
  { weight: 3, arbitrary: fc.record({ metadata: fc.oneof({ weight: 5, arbitrary: metadata }, value), spec: value, status: value }, { requiredKeys: [] }) },
  fc.dictionary(key, value, { maxKeys: 5 }),
);
const list = fc.record({
  head: fc.dictionary(fc.constantFrom('kind', 'apiVersion', 'metadata', 'x'), fc.oneof(text, fc.dictionary(key, text, { maxKeys: 3 })), { maxKeys: 4 }),
  items: fc.array(item, { maxLength: 5 }),
  indent: fc.constantFrom(0, 0, 1, 2, '\t'),
  itemsFirst: fc.boolean(),
});

function bodyOf(l: { head: Record<string, unknown>; items: unknown[]; indent: number | string; itemsFirst: boolean }): Buffer {
  const { items: _ignored, ...head } = l.head;
  const obj = l.itemsFirst ? { items: l.items, ...head } : { ...head, items: l.items };
  return Buffer.from(JSON.stringify(obj, null, l.indent));
}

/** true: fieldsV1 dropped, as every LIST of the client. */
type Rule = boolean | Projection;
const projectionOf = (r: Rule): Projection | undefined => (r === true ? WITHOUT_FIELDS_V1 : r === false ? undefined : r);

function decode(bytes: Buffer, cuts: number[], rule: Rule): string {
  const projection = projectionOf(rule);
  const d = new ListDecoder(projection ? { projection } : {});
  let at = 0;
  for (const c of [...cuts.filter((c) => c <= bytes.length).sort((a, b) => a - b), bytes.length]) {
    d.push(bytes.subarray(at, c));
    at = c;
  }
  return JSON.stringify(d.end());
}

function expected(bytes: Buffer, rule: Rule): string {
  const whole = JSON.parse(bytes.toString('utf8')) as { items: Record<string, unknown>[] };
  const projection = projectionOf(rule);
  if (projection) whole.items = whole.items.map((i) => project(i, compileProjection(projection)) as Record<string, unknown>);
  return JSON.stringify(whole);
}

/** Each body, cut once at every position, decodes as parsing it whole and projecting does, under each rule. */
function assertEveryCut(bodies: string[], rules: Rule[]): void {
  for (const body of bodies) {
    const bytes = Buffer.from(body);
    for (const rule of rules) {
      const want = expected(bytes, rule);
      for (let cut = 0; cut <= bytes.length; cut++) assert.is(decode(bytes, [cut], rule), want, `${body} cut at ${cut}`);
    }
  }
}

/** Any projection over the names the lists use (and others), nested a few levels. */
const projection: fc.Arbitrary<Projection> = fc.letrec<{ p: Projection }>((tie) => ({
  p: fc.record(
    {
      only: fc.subarray([...NAMES, 'é', 'x']),
      drop: fc.subarray(NAMES, { maxLength: 3 }),
      fields: fc.dictionary(fc.constantFrom(...NAMES), tie('p'), { maxKeys: 3 }),
      each: tie('p'),
    },
    { requiredKeys: [] },
  ),
})).p;

test('random lists and random projections, cut at random places: exactly project(JSON.parse(item))', () => {
  fc.assert(
    fc.property(list, projection, fc.array(fc.nat(), { maxLength: 12 }), (l, p, cuts) => {
      const bytes = bodyOf(l);
      const at = cuts.map((c) => c % (bytes.length + 1));
      assert.is(decode(bytes, at, p), expected(bytes, p));
      for (const status of Object.values(STATUS_PROJECTIONS)) assert.is(decode(bytes, at, status), expected(bytes, status));
    }),
    { numRuns: RUNS * 2, seed: SEED },
  );
});

test('random projections, one cut at every position', () => {
  fc.assert(
    fc.property(list, projection, (l, p) => {
      const bytes = bodyOf(l);
      const want = expected(bytes, p);
      for (let cut = 0; cut <= bytes.length; cut++) assert.is(decode(bytes, [cut], p), want, `cut at ${cut}`);
    }),
    { numRuns: Math.ceil(RUNS / 5), seed: SEED },
  );
});

test('status projections: keys written with escapes, duplicates, values of the wrong kind', () => {
  const bodies = [
    '{"items":[{"sp\\u0065c":{"volumes":[{"a":1}],"nodeName":"n"},"spec":{"nodeName":"m","volumes":[1],"containers":[{"name":"a","env":[{"x":1}],"image":"i"},"s",[1]]}}]}',
    '{"items":[{"spec":{"conta\\u0069ners":[{"name":"a","env":[]}],"template":{"spec":{}},"replicas":2}}]}',
    '{"items":[{"spec":{"containers":{"name":"a","env":{}},"initContainers":[{"nam\\u0065":"x","probe":{"a":[]}}]},"spec":{"x":{}}}]}',
    '{"items":[{"spec":[{"volumes":[]}],"status":{"spec":{"volumes":[]}}},{"spec":"x"},{"spec":{"nodeName":{"a":1},"replicas":[1]}}]}',
  ];
  assertEveryCut(bodies, Object.values(STATUS_PROJECTIONS));
});

test('what a status projection drops is skipped, not parsed (what makes it cheap)', () => {
  // 01 is not JSON: only a decoder that never parses the dropped values accepts this body.
  const bytes = Buffer.from('{"items":[{"metadata":{"name":"p"},"spec":{"volumes":[01],"nodeName":"n","containers":[{"name":"c","env":[01],"image":"i"}]},"status":{"phase":"Running"}}]}');
  const want = '{"items":[{"metadata":{"name":"p"},"spec":{"nodeName":"n","containers":[{"name":"c","image":"i"}]},"status":{"phase":"Running"}}]}';
  for (let cut = 0; cut <= bytes.length; cut++) assert.is(decode(bytes, [cut], STATUS_PROJECTIONS.pods), want, `cut at ${cut}`);
  assert.throws(() => decode(bytes, [], WITHOUT_FIELDS_V1));
});

test('random lists, cut at random places: exactly JSON.parse(body), with and without the fieldsV1 prune', () => {
  fc.assert(
    fc.property(list, fc.array(fc.nat(), { maxLength: 12 }), (l, cuts) => {
      const bytes = bodyOf(l);
      const at = cuts.map((c) => c % (bytes.length + 1));
      for (const prune of [false, true]) assert.is(decode(bytes, at, prune), expected(bytes, prune));
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

test('random lists, one cut at every position and byte by byte (every UTF-8 character split)', () => {
  fc.assert(
    fc.property(list, (l) => {
      const bytes = bodyOf(l);
      for (const prune of [false, true]) {
        const want = expected(bytes, prune);
        for (let cut = 0; cut <= bytes.length; cut++) assert.is(decode(bytes, [cut], prune), want, `cut at ${cut}`);
        assert.is(decode(bytes, Array.from({ length: bytes.length }, (_, i) => i), prune), want, 'byte by byte');
      }
    }),
    { numRuns: Math.ceil(RUNS / 5), seed: SEED },
  );
});

test('keys written with escapes and duplicate keys: the prune gives what parsing then deleting gives', () => {
  const bodies = [
    '{"items":[{"m\\u0065tadata":{"managedFields":[{"fieldsV1":{"f:a":{}},"manager":"m"}]}}]}',
    '{"items":[{"metadata":{"managedFields":[{"fields\\u00561":{"f:a":{}}},{"fieldsV1":{"k:{\\"a\\":\\"}\\"}":{}}}]}}]}',
    '{"items":[{"metadata":{"managedFields":[{"fieldsV1":{"a":1}}]},"metadata":{"managedFields":[{"fieldsV1":[1],"time":"t"}]}}]}',
    '{"items":[{"metadata":{"managedFields":[{"fieldsV1":{"a":1},"fieldsV1":{"b":2}}]}}]}',
    '{"items":[{"metadata":{"managedFields":[["fieldsV1",{"a":1}],{"x":"fieldsV1","y":{"z":1}}]}}]}',
    '{"items":[{"metadata":{"managedFields":{"fieldsV1":{"a":1}}}},{"spec":{"managedFields":[{"fieldsV1":{}}]}}]}',
    '{"items":[{"metadata":{"labels":{"fieldsV1":"x"},"managedFields":[{"fieldsV1":null},{"fieldsV1":{}}]}}]}',
  ];
  assertEveryCut(bodies, [true, false]);
});

test('items far larger than a chunk (the buffer they are gathered in grows), in small and uneven chunks', () => {
  const big = (n: number) => ({
    metadata: { name: `big-${n}`, annotations: { a: 'x\\"}]'.repeat(20_000 * n) }, managedFields: [{ manager: 'm', fieldsV1: { 'f:a': { '.': {} } } }] },
    spec: { list: Array.from({ length: 3_000 * n }, (_, i) => ({ i, s: 'é日😀"' })) },
  });
  const bytes = Buffer.from(JSON.stringify({ kind: 'List', items: [big(1), { small: 1 }, big(3), big(2)] }));
  for (const prune of [false, true]) {
    const want = expected(bytes, prune);
    for (const step of [997, 4096, 65_537, 700_001]) assert.is(decode(bytes, Array.from({ length: Math.ceil(bytes.length / step) }, (_, i) => i * step), prune), want, `chunks of ${step}`);
  }
});

test('the value of fieldsV1 is skipped, not parsed, wherever the chunks are cut (what makes the prune cheap)', () => {
  // 01 is not JSON: only a decoder that never parses fieldsV1's value accepts this body.
  const bytes = Buffer.from('{"items":[{"metadata":{"name":"a","managedFields":[{"manager":"m","fieldsV1":{"f:x":01,"k:{\\"a\\":1}":[]}}]}}]}');
  for (let cut = 0; cut <= bytes.length; cut++) assert.is(decode(bytes, [cut], true), '{"items":[{"metadata":{"name":"a","managedFields":[{"manager":"m"}]}}]}', `cut at ${cut}`);
  assert.throws(() => decode(bytes, [], false));
});

test.run();
