#!/usr/bin/env bash
# Installs everything Kizashi needs into ./.venv, idempotently. Sourced by run.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn  >/dev/null || need_apt+=(maven)
# The dashboard's browser tests drive Debian's chromium; Japanese labels need CJK fonts.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
  else
    echo "Kizashi needs: ${need_apt[*]} (install them, or set NEO4J_URI to an existing Neo4j)" >&2
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Re-install only when the dependency list changed.
stamp=".venv/.kizashi-deps"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)-${KIZASHI_EXTRAS:-all}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[${KIZASHI_EXTRAS:-all}]"
  echo "$want" > "$stamp"
fi
