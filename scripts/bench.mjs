// npm run bench -- [section ...] [section flags]
// Sections: startup (the single executable against kubectl; see scripts/bench/startup.mjs) and
// collect (API requests and --from cost; scripts/bench/collect.mjs, needs the sandbox). Each
// section is a module under scripts/bench/ with run(args) that prints its own report.
const SECTIONS = {
  startup: () => import('./bench/startup.mjs'),
  collect: () => import('./bench/collect-section.mjs'),
  log: () => import('./bench/operator-log-section.mjs'),
};

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-') && SECTIONS[a]);
const unknown = args.filter((a) => !a.startsWith('-') && !SECTIONS[a] && !/^\d+$/.test(a) && !a.includes('/'));
if (unknown.length) {
  process.stderr.write(`error: unknown section ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})\n`);
  process.exit(1);
}
for (const name of names.length ? names : ['startup']) {
  process.stdout.write(`\n== ${name} ==\n`);
  const mod = await SECTIONS[name]();
  await mod.run(args.filter((a) => a !== name));
}
