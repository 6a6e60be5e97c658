#!/usr/bin/env bash
# `sandbox down` hook: stops the operator supervisor (which stops the operator process).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib/common.sh"
stop_process operator-supervisor 30
stop_process operator 15
rm -f "$RUN_DIR/operator-supervisor.mode"
