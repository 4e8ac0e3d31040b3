#!/usr/bin/env bash
# The main job on a fresh machine: install, start the local Neo4j, ingest, summarise.
#   ./run.sh                      live watch-list slice (OpenAlex + arXiv) when online
#   ./run.sh --data ../shared/data   offline, from a snapshot directory
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
exec .venv/bin/kizashi run "$@"
