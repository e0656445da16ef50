#!/usr/bin/env bash
# The test command: sets up what is missing (scripts/setup.sh), then runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PATH="$(scripts/setup-node.sh):$PATH" exec npm test
