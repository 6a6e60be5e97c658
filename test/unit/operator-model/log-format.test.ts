// The model's log against the real PGO v5.8.9 log (recorded/operator.log), parsed the same way by
// a logrus text parser written here (not the model's formatter): for every kind of line the model
// writes (by msg), the same keys in the same order as PGO's lines of that kind, and the same
// quoting rule (a value is quoted exactly when it holds a character outside [A-Za-z0-9-._/@^+],
// with Go's escapes) - a rule first checked on every value of the recorded log.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apiEventRecorder } from '../../../scripts/sandbox/operator/model/events.ts';
import { PgoError } from '../../../scripts/sandbox/operator/model/errors.ts';
import { ExecError } from '../../../scripts/sandbox/operator/model/exec.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import { goQuote, Logger } from '../../../scripts/sandbox/operator/model/log.ts';
import { reconcileFields } from '../../../scripts/sandbox/operator/model/controller.ts';
import { logControllerStart, logManagerStart, logShutdownEnd, logShutdownStart, logWorkersStart } from '../../../scripts/sandbox/operator/model/manager-log.ts';
import { reconcile, type Deps } from '../../../scripts/sandbox/operator/model/reconcile.ts';
import { sharedDir } from '../../helpers/hand-views.ts';
import { ENV, FakeKube } from '../../helpers/model-kube.ts';
import { recorded } from '../../helpers/operator.ts';

const RECORDED = path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/operator.log');

interface Token {
  key: string;
  raw: string;
  value: string;
  quoted: boolean;
}

const ESC: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/** A logrus text line -> its key=value tokens in order (keys may hold spaces: "worker count"). */
function parse(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`no "=" after column ${i}: ${line}`);
    const key = line.slice(i, eq);
    let j = eq + 1;
    let value = '';
    const quoted = line[j] === '"';
    if (quoted) {
      j++;
      while (line[j] !== '"') {
        if (j >= line.length) throw new Error(`unterminated quote: ${line}`);
        if (line[j] === '\\') {
          const c = line[j + 1];
          if (ESC[c] !== undefined) {
            value += ESC[c];
            j += 2;
          } else {
            const n = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
            if (!n) throw new Error(`bad escape \\${c}: ${line}`);
            value += String.fromCodePoint(parseInt(line.slice(j + 2, j + 2 + n), 16));
            j += 2 + n;
          }
        } else {
          value += line[j++];
        }
      }
      j++;
    } else {
      while (j < line.length && line[j] !== ' ') value += line[j++];
    }
    out.push({ key, raw: line.slice(eq + 1, j), value, quoted });
    if (j < line.length && line[j] !== ' ') throw new Error(`junk after ${key}: ${line}`);
    i = j + 1;
  }
  return out;
}

const needsQuote = (v: string) => !/^[A-Za-z0-9\-._/@^+]*$/.test(v);
const msgOf = (ts: Token[]) => ts.find((t) => t.key === 'msg')?.value ?? '';
const keysOf = (ts: Token[]) => ts.map((t) => t.key).join(' ');

function quotingHolds(ts: Token[], line: string): void {
  for (const t of ts) {
    assert.is(t.quoted, needsQuote(t.value), `${t.key} quoted=${t.quoted} in ${line.slice(0, 200)}`);
    if (t.quoted) assert.is(goQuote(t.value), t.raw, `Go's %q of ${t.key} in ${line.slice(0, 200)}`);
  }
}

const recordedLines = readFileSync(RECORDED, 'utf8').split('\n').filter(Boolean);
/** msg -> the key orders PGO wrote for it. */
const shapes = new Map<string, Set<string>>();
for (const l of recordedLines) {
  const ts = parse(l);
  const set = shapes.get(msgOf(ts)) ?? new Set<string>();
  set.add(keysOf(ts));
  shapes.set(msgOf(ts), set);
}

test('the recorded log: every line parses, starts with time, level, msg, sorts its fields, and quotes by the rule', () => {
  assert.ok(recordedLines.length > 1000, `${recordedLines.length} lines`);
  for (const l of recordedLines) {
    const ts = parse(l);
    assert.equal(ts.slice(0, 3).map((t) => t.key), ['time', 'level', 'msg'], l.slice(0, 120));
    const rest = ts.slice(3).map((t) => t.key);
    assert.equal(rest, [...rest].sort(), `fields sorted: ${l.slice(0, 160)}`);
    quotingHolds(ts, l);
  }
});

/** Every kind of line the model writes, collected from its own code paths. */
async function modelLines(): Promise<string[]> {
  const lines: string[] = [];
  const log = new Logger({}, (l) => lines.push(l), true, () => new Date('2026-12-01T13:07:02Z'));
  logManagerStart(log, 'v1.36.3', '');
  logControllerStart(log, ['PostgresCluster', 'StatefulSet']);
  logWorkersStart(log, 2);

  // A healthy reconcile of the recorded cluster, then the recorded incident (switchover exec fails).
  const exec = (fail: boolean): Deps['exec'] => async (_ns, _pod, _c, cmd) => {
    if (cmd[1] === 'list') return { stdout: JSON.stringify([{ Member: 'hippo-instance1-hcjs-0', Role: 'Leader', State: 'running', TL: 4 }]), stderr: '' };
    if (fail) throw new ExecError(`Internal error occurred: error executing command in container: cmd wait: ${cmd.join(' ')}: exit status 1`);
    return { stdout: 'Successfully switched over to "x"', stderr: 'a "quoted"\tline\n' };
  };
  const runs = [
    ['healthy.yaml', false, false],
    ['switchover-stuck-target-is-primary.yaml', false, true], // first pass of a request: the timeline is recorded
    ['switchover-stuck-target-is-primary.yaml', true, false],
  ] as const;
  for (const [file, fail, fresh] of runs) {
    const kube = new FakeKube(recorded('v5.8.9', file));
    if (fresh) delete kube.cluster().status.patroni.switchoverTimeline;
    const rlog = log.with(reconcileFields('db', 'hippo', '9aaaea8e-3b72-43f3-8b07-5fd0db0b5433'));
    const events = apiEventRecorder({ create: async () => ({}), mergePatch: async () => ({}) } as unknown as Kube, log);
    try {
      await reconcile({ kube: kube as unknown as Kube, exec: exec(fail), env: ENV, log: rlog, events, rand: () => 0 }, 'db', 'hippo');
    } catch (e) {
      rlog.error(e, 'Reconciler error'); // as the controller does
    }
    await events.record(kube.cluster(), 'Normal', 'RepoHostCreated', 'created pgBackRest repository host StatefulSet/hippo-repo-host');
  }
  // An error without a stack (fmt.Errorf in PGO): no file, no func.
  log.with(reconcileFields('db', 'hippo', 'x')).error(new PgoError('NodePort cannot be set with type ClusterIP on Service "hippo-ha"'), 'Reconciler error');
  logShutdownStart(log, 'terminated');
  logShutdownEnd(log);
  return lines;
}

test("the model's lines: PGO's keys in PGO's order for each kind of line, PGO's quoting", async () => {
  const lines = await modelLines();
  const kinds = new Set<string>();
  for (const l of lines) {
    const ts = parse(l);
    quotingHolds(ts, l);
    const msg = msgOf(ts);
    kinds.add(msg);
    // An Event's debug line is named by its message; events PGO never emitted in the recorded run
    // (e.g. StanzasCreated) are held to the shape of the recorded ones.
    const isEvent = ts.some((t) => t.key === 'reason') && ts.some((t) => t.key === 'object');
    // PGO lines the recorded run never reached, held to the shape of their recorded sibling
    // (the same function logs both, with the same values).
    const sibling: Record<string, string> = { 'removed PgBouncer user': 'removed PgBouncer objects' };
    const known = shapes.get(msg) ?? shapes.get(sibling[msg] ?? '') ?? (isEvent ? shapes.get('Unable to install pgAudit') : undefined);
    assert.ok(known, `PGO writes no line "${msg}"`);
    let keys = keysOf(ts);
    // PGO's logger adds file and func only for an error with a pkg/errors stack (internal/logging/logrus.go).
    if (msg === 'Reconciler error' && !ts.some((t) => t.key === 'file')) keys = keys.replace(' error ', ' error file func ');
    assert.ok(known.has(keys), `"${msg}": model ${keys}\n  PGO: ${[...known].join('\n  PGO: ')}`);
  }
  for (const m of ['Reconciler error', 'reconciled cluster', 'patched cluster status', 'reconciled instance', 'reconciled instance set', 'Starting workers', 'Starting EventSource', 'Setting SwitchoverTimeline', 'created pgBackRest repository host StatefulSet/hippo-repo-host', 'shutdown complete']) {
    assert.ok(kinds.has(m), `the model wrote no "${m}" line`);
  }
});

test('goQuote is Go\'s %q: escapes, control characters, non-printing runes', () => {
  assert.is(goQuote('a "b"\\c'), '"a \\"b\\"\\\\c"');
  assert.is(goQuote('x\ny\tz\r\x07\x00\x7f'), '"x\\ny\\tz\\r\\a\\x00\\x7f"');
  assert.is(goQuote('é ü 日本'), '"é ü 日本"');
  assert.is(goQuote('\u00a0\u2028'), '"\\u00a0\\u2028"');
});

test.run();
