#!/usr/bin/env bash
# The test suite on a fresh machine: install, then pytest against a real Neo4j
# (started by the tests themselves unless NEO4J_URI is set).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
set +e
.venv/bin/python -m pytest "$@"
rc=$?
# pytest's 5 means "no tests collected": a failure for us, with a clear word.
if [ $rc -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi
exit $rc
