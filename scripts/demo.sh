#!/usr/bin/env bash
# The README's first command (`make demo`) ends here: show the engine build,
# then run the whole workflow on the embedded default config, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bin/codeloom version
bin/codeloom pipeline "$@"
