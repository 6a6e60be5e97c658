// The streaming LIST decoder gives what JSON.parse gives, wherever the chunks are cut.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListDecoder } from '../../../lib/kube/list-decoder.ts';

const LIST = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'abc' },
  items: [
    { metadata: { name: 'a', annotations: { x: '{"items":[1,2]}', y: 'quote \\" and } ] [ {' } }, spec: { list: [[1], { z: null }] } },
    { metadata: { name: 'é-ü-日本', labels: {} }, status: { message: 'tab\there\nnewline \u2028' } },
    { metadata: { name: 'c', managedFields: [{ manager: 'm', time: 't', fieldsV1: { 'f:spec': {} } }] } },
  ],
};

function decodeIn(text: string, cuts: number[]) {
  const bytes = Buffer.from(text);
  const d = new ListDecoder();
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    d.push(bytes.subarray(at, c));
    at = c;
  }
  return d.end();
}

test('every single cut point, compact and indented', () => {
  for (const text of [JSON.stringify(LIST), JSON.stringify(LIST, null, 2)]) {
    const n = Buffer.byteLength(text);
    for (let cut = 0; cut <= n; cut++) assert.equal(decodeIn(text, [cut]), JSON.parse(text), `cut at ${cut}`);
    assert.equal(decodeIn(text, Array.from({ length: n }, (_, i) => i)), JSON.parse(text), 'byte by byte');
  }
});

test('empty list and no items key', () => {
  assert.equal(decodeIn('{"kind":"PodList","items":[]}', [5]), { kind: 'PodList', items: [] });
  assert.equal(decodeIn('{"kind":"Status","code":200}', [3]), { kind: 'Status', code: 200 });
});

test('a body cut short or not JSON is an error', () => {
  const text = JSON.stringify(LIST);
  assert.throws(() => decodeIn(text.slice(0, 150), []));
  assert.throws(() => decodeIn('{"items":[1,2]}', []));
  assert.throws(() => decodeIn('<html>', []));
  for (const bad of ['{"items":[,]}', '{"items":[{},]}', '{"items":[{}{}]}', '{"items":[{},,{}]}']) assert.throws(() => decodeIn(bad, []), bad);
  assert.equal(decodeIn('{"items":[ {} , {"a":1} ]}', [4]), { items: [{}, { a: 1 }] });
});

test.run();
