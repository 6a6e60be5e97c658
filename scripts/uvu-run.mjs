// uvu's CLI with three differences, so that no failure loses its reason:
// - a hook that throws is printed (file, hook, error) and counted as one failure of its own file;
//   uvu 0.5.6 swallows a throwing `before` (its runner returns from `finally`: "0 passed", no
//   message) and lets a throwing `after` reject the whole run (every later file silently not run);
// - skipped tests are named, and failures are counted directly (not total - passed - skipped);
// - a file that fails to load is a failure of that file, not the end of the run.
// The process ends when the suites are done: a test that leaves a socket or a timer behind must
// not hang CI for its whole budget. What was left open is named, so the leak can still be fixed.
// Hooks are intercepted on uvu's default `test` suite, which is what every test file imports.
import { parse } from 'uvu/parse';

const openAtStart = process.getActiveResourcesInfo(); // e.g. stdout as a pipe: not a leak
const [dir, pattern] = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const ctx = await parse(dir, pattern, { cwd: process.cwd() });

globalThis.UVU_DEFER = 1;
const uvu = await import('uvu');
const out = (s) => process.stdout.write(s);

let current = ''; // the file whose hooks run (or register) now
const hookFailures = []; // { file, hook, error }
const skipsByFile = new Map();
const loadFailures = [];

// Wraps a hook registration so that a throw is recorded before uvu sees (and maybe hides) it.
function guard(register, hookName, rethrow) {
  const wrapped = (fn) =>
    register(async (state) => {
      try {
        await fn(state);
      } catch (error) {
        hookFailures.push({ file: current, hook: state?.__test__ ? `${hookName} (test "${state.__test__}")` : hookName, error });
        if (rethrow) throw error; // `before`: the tests must not run without their setup
      }
    });
  return wrapped;
}
const t = uvu.test;
const before = t.before;
const after = t.after;
const beforeEach = before.each;
const afterEach = after.each;
t.before = guard(before, 'before', true);
t.before.each = guard(beforeEach, 'before.each', true); // uvu counts the test as failed, with this error
t.after = guard(after, 'after', false);
t.after.each = guard(afterEach, 'after.each', false);
const skip = t.skip;
t.skip = (name, ...rest) => {
  const list = skipsByFile.get(current) ?? [];
  list.push(String(name));
  skipsByFile.set(current, list);
  return skip(name, ...rest);
};

const groups = [];
for (let i = 0; i < ctx.suites.length; i++) {
  const s = ctx.suites[i];
  current = s.name;
  globalThis.UVU_INDEX = i;
  globalThis.UVU_QUEUE[i] = [];
  groups.push(s.name);
  try {
    await import('file:///' + s.file);
  } catch (error) {
    loadFailures.push({ file: s.name, error });
  }
}

const start = process.hrtime.bigint();
let total = 0;
let passed = 0;
let failed = 0;
let skipped = 0;
let notRun = 0;
for (let i = 0; i < groups.length; i++) {
  current = groups[i];
  if (i) out('\n');
  out(`${current}\n`);
  const load = loadFailures.find((f) => f.file === current);
  if (load) {
    failed++;
    out(`  FAIL ${current}: could not be loaded\n${describe(load.error)}`);
    continue;
  }
  for (const run of globalThis.UVU_QUEUE[i] ?? []) {
    const hooksBefore = hookFailures.length;
    let result;
    try {
      result = await run();
    } catch (error) {
      hookFailures.push({ file: current, hook: 'runner', error });
      result = [true, 0, 0, 0];
    }
    const [errs, ran, skip, max] = result;
    const mine = hookFailures.slice(hooksBefore);
    const beforeFailed = mine.some((h) => h.hook === 'before');
    total += max;
    passed += ran;
    skipped += skip;
    if (beforeFailed) notRun += max;
    else failed += max - ran;
    failed += mine.filter((h) => !h.hook.startsWith('before.each')).length;
    if (typeof errs === 'string' && errs.length) out('\n' + errs + '\n');
    for (const h of mine) out(`  FAIL ${h.file}: ${h.hook} hook threw${h.hook === 'before' ? ` (${max} test(s) not run)` : ''}\n${describe(h.error)}`);
  }
  for (const name of skipsByFile.get(current) ?? []) out(`  SKIP ${current}: "${name}"\n`);
}

out(`\n  Total:     ${total}`);
out(`\n  Passed:    ${passed}`);
out(`\n  Failed:    ${failed}`);
out(`\n  Skipped:   ${skipped}`);
if (notRun) out(`\n  Not run:   ${notRun} (their file's before hook failed)`);
out(`\n  Duration:  ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(2)}ms\n\n`);

await new Promise((r) => setTimeout(r, 100)); // sockets and servers closed by the last hooks finish closing
const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
for (const r of openAtStart) if (left.includes(r)) left.splice(left.indexOf(r), 1);
if (left.length) process.stderr.write(`uvu-run: still open after the suites ended (closed by exit): ${left.join(', ')}\n`);
process.exit(failed > 0 ? 1 : 0);

function describe(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  const stack = (e.stack ?? '').split('\n').slice(1, 6).map((l) => `      ${l.trim()}`).join('\n');
  return `    ${e.name}: ${e.message}\n${stack ? stack + '\n' : ''}`;
}
