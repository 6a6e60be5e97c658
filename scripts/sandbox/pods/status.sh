#!/usr/bin/env bash
# `sandbox status` hook: our processes, then one line per database (pod, role, ports, data
# directory, pids) from the database runtime.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
echo "pods:"
for n in pods-controller-manager pods-scheduler pods-kwok pods-volumes pods-runtime; do
  if pid="$(running_pid "$n")"; then printf '  %-24s pid %-8s since %s\n' "$n" "$pid" "$(cat "$RUN_DIR/$n.started" 2>/dev/null)"
  else printf '  %-24s not running\n' "$n"; fi
done
port_file="$(readlink -f "$PODS_DIR" 2>/dev/null)/pods-runtime.port"
if ! running_pid pods-runtime >/dev/null || [ ! -f "$port_file" ]; then exit 0; fi
json="$(curl -sf --max-time 5 "http://127.0.0.1:$(cat "$port_file")/databases")" || { echo "  database runtime does not answer"; exit 0; }
node -e '
  const d = JSON.parse(process.argv[1]);
  const rows = d.databases.sort((a, b) => (a.namespace + a.pod).localeCompare(b.namespace + b.pod));
  console.log(`databases: ${rows.length} running (cap ${d.cap})` + (d.withoutDatabase ? `, ${d.withoutDatabase} pod(s) without a database (over the cap)` : ""));
  if (!rows.length) process.exit(0);
  const head = ["POD", "ROLE", "STATE", "TL", "POSTGRES", "API", "PATRONI PID", "POSTGRES PID", "RSS MB", "DATA DIRECTORY"];
  const t = rows.map((r) => [`${r.namespace}/${r.pod}`, r.role ?? "-", r.state, r.timeline ?? "-", `127.0.0.1:${r.postgresPort}`,
    `127.0.0.1:${r.apiPort}`, r.patroniPid ?? "-", r.postgresPid ?? "-", ((r.patroniRssKb + r.postgresRssKb) / 1024).toFixed(0), r.dataDir].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...t.map((r) => r[i].length)));
  for (const r of [head, ...t]) console.log("  " + r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd());
' "$json"
