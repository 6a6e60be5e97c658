// uvu's CLI, except that the process ends when the suites are done: a test that leaves a socket
// or a timer behind must not hang CI for its whole budget. What was left open is named, so the
// leak can still be found and fixed.
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';

const [dir, pattern] = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const ctx = await parse(dir, pattern, { cwd: process.cwd() });
await run(ctx.suites, { bail: false });
const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
if (left.length) process.stderr.write(`uvu-run: still open after the suites ended (closed by exit): ${left.join(', ')}\n`);
process.exit(process.exitCode ?? 0);
