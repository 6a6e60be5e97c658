// npm run bench -- [section ...] [section flags]
// Sections: startup (the single executable against kubectl; scripts/bench/startup.mjs), collect
// (API requests and --from cost; scripts/bench/collect.mjs), scale N (the fleet of N clusters made
// in the sandbox, status -A against curl and kubectl, --from against live; scale-section.mjs) and
// watch (status -A --watch memory and CPU under one change a second; watch-section.mjs). Each
// section is a module under scripts/bench/ with run(args) that prints its own report.
const SECTIONS = {
  startup: () => import('./bench/startup.mjs'),
  collect: () => import('./bench/collect-section.mjs'),
  log: () => import('./bench/operator-log-section.mjs'),
  scale: () => import('./bench/scale-section.mjs'),
  fleet: () => import('./bench/fleet-section.mjs'),
  watch: () => import('./bench/watch-section.mjs'),
};

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-') && SECTIONS[a]);
// A number is a section's argument (scale 500); a word after a flag is its value (--servers replay).
const unknown = args.filter((a, i) => !a.startsWith('-') && !SECTIONS[a] && !/^[\d,.]+$/.test(a) && !(i > 0 && args[i - 1].startsWith('--')));
if (unknown.length) {
  process.stderr.write(`error: unknown section ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})\n`);
  process.exit(1);
}
for (const name of names.length ? names : ['startup']) {
  process.stdout.write(`\n== ${name} ==\n`);
  const mod = await SECTIONS[name]();
  await mod.run(args.filter((a) => a !== name));
}
