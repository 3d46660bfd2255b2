#!/usr/bin/env bash
# Install everything govbudget needs on a Debian machine, then run the demo or the test suite.
#
#   bash bootstrap.sh demo    # install, then `govbudget demo` on the embedded default
#   bash bootstrap.sh test    # install, make sure Redis and PostgreSQL run, then the whole test suite
#
# Idempotent: packages already present are not reinstalled, the virtualenv is reused while
# pyproject.toml and devtools/pyproject.toml are unchanged, and services already listening are used
# as they are.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
MODE="${1:-demo}"
shift || true

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

DEBIAN_PACKAGES=(chromium poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui antiword fonts-noto-cjk libarchive-tools iproute2)
APT_UPDATED=0

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_python_env() {
  python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null \
    || apt_install python3-venv python3-pip
  local stamp="$VENV/.govbudget-installed"
  local want
  want=$(cat pyproject.toml devtools/pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/govbudget" ]; then
    return 0
  fi
  log "creating the virtualenv and installing govbudget with its test extras and dev tools"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # devtools/ is a distribution of its own (corpus and simulator): the runtime install ships neither
  "$VENV/bin/python" -m pip install -q -e ".[dev]" -e ./devtools
  echo "$want" > "$stamp"
}

ensure_redis() {
  if port_open 6379; then return 0; fi
  apt_install redis-server
  log "starting Redis on 127.0.0.1:6379"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/govbudget.log
  for _ in $(seq 1 50); do port_open 6379 && return 0; sleep 0.2; done
  log "Redis did not start"; return 1
}

ensure_postgres() {
  if ! port_open 5432; then
    apt_install postgresql
    log "starting PostgreSQL on 127.0.0.1:5432"
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 50); do port_open 5432 && break; sleep 0.2; done
    port_open 5432 || { log "PostgreSQL did not start"; return 1; }
  fi
  # The test database and a password for TCP logins (trust-auth machines ignore it).
  if command -v psql >/dev/null && id postgres >/dev/null 2>&1; then
    $SUDO -u postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
      || $SUDO -u postgres createdb test 2>/dev/null || true
    $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
  fi
}

# Issue #4's targets, scored on a corpus rendered from the seeds (every format, two variants per seed):
# line-item F1, per-format F1, indicator recall and fact recall. Below any of them the run fails;
# GOVBUDGET_EVAL_ENFORCE=0 only prints the scores (for a machine without LibreOffice's fonts, say).
run_parse_eval() {
  local dir status=0
  dir=$(mktemp -d)
  log "parser evaluation: rendering the corpus into $dir"
  "$VENV/bin/govbudget" corpus write "$dir" --variants 2 \
    && "$VENV/bin/govbudget" eval-parse "$dir" --jobs 2 \
         --min-f1 0.99 --min-format-f1 0.97 --min-indicator-recall 0.98 --min-fact-recall 0.95 || status=$?
  rm -rf "$dir"
  [ "$status" = 0 ] && return 0
  log "parser evaluation below the issue-4 thresholds"
  [ "${GOVBUDGET_EVAL_ENFORCE:-1}" = 0 ] && return 0
  return 1
}

# Issue #16's targets, scored on the real disclosures in tests/data/realdocs against the hand-checked
# truth in tests/data/realtruth: line-item F1 of the 收支总表 and 一般公共预算支出表, coverage (amounts
# read over amounts printed, from the parse's coverage checks; not reported counts as below),
# metadata accuracy and the share of the peer's Jiangsu 收支预算总表 values found. The thresholds sit
# here so one edit moves them; GOVBUDGET_EVAL_ENFORCE=0 only prints the scores and
# GOVBUDGET_SKIP_EVAL=1 skips the step, as for run_parse_eval.
run_real_eval() {
  local min_f1=0.99 min_coverage=0.99 min_metadata=0.95 min_peer_recall=1.0 status=0
  log "real-document evaluation: tests/data/realdocs against tests/data/realtruth"
  "$VENV/bin/govbudget" eval-real tests/data/realdocs --truth tests/data/realtruth --jobs 2 \
    --min-f1 "$min_f1" --min-coverage "$min_coverage" --min-metadata "$min_metadata" \
    --min-peer-recall "$min_peer_recall" || status=$?
  [ "$status" = 0 ] && return 0
  log "real-document evaluation below the issue-16 thresholds"
  [ "${GOVBUDGET_EVAL_ENFORCE:-1}" = 0 ] && return 0
  return 1
}

# Issue #7: bandit over the source (high severity fails the run) and pip-audit over the installed
# venv (a known vulnerability fails it). pip-audit needs PyPI's vulnerability API; when that service
# cannot be reached, or answers for none of the packages (a mirror without the JSON API), the step
# says it was skipped instead of claiming a clean bill.
run_security_checks() {
  log "bandit: high-severity findings fail the run"
  "$VENV/bin/bandit" -q -c pyproject.toml -r crawler parsers storage tasks cli devtools exports web -lll \
    || return 1
  local report rc=0
  report=$(mktemp)
  # its exit code is not trusted alone: the JSON report below says what was really audited
  "$VENV/bin/pip-audit" --skip-editable --progress-spinner off --format json --timeout 20 \
    >"$report" 2>/dev/null || true
  "$VENV/bin/python" - "$report" <<'PY' || rc=1
import json, sys
path = sys.argv[1]
try:
    deps = json.load(open(path, encoding="utf-8"))["dependencies"]
except (OSError, ValueError, KeyError):
    print("[bootstrap] pip-audit skipped: vulnerability service unreachable", file=sys.stderr)
    sys.exit(0)
audited = [d for d in deps if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
if not audited:
    print(f"[bootstrap] pip-audit skipped: vulnerability service unreachable "
          f"(0 of {len(deps)} packages could be looked up)", file=sys.stderr)
    sys.exit(0)
for d in vulnerable:
    ids = ", ".join(v["id"] for v in d["vulns"])
    print(f"[bootstrap] pip-audit: {d['name']} {d['version']}: {ids}", file=sys.stderr)
print(f"[bootstrap] pip-audit: {len(audited)} of {len(deps)} packages audited, "
      f"{len(vulnerable)} with known vulnerabilities", file=sys.stderr)
sys.exit(1 if vulnerable else 0)
PY
  rm -f "$report"
  return "$rc"
}

apt_install "${DEBIAN_PACKAGES[@]}"
install_python_env

case "$MODE" in
  demo)
    exec "$VENV/bin/govbudget" demo "$@"
    ;;
  test)
    ensure_redis
    ensure_postgres
    export GOVBUDGET_TEST_REDIS_URL="${GOVBUDGET_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
    export GOVBUDGET_TEST_DATABASE_URL="${GOVBUDGET_TEST_DATABASE_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test}"
    "$VENV/bin/ruff" check .
    run_security_checks
    set +e
    "$VENV/bin/python" -m pytest "$@"
    rc=$?
    set -e
    [ "${GOVBUDGET_SKIP_EVAL:-0}" = 1 ] || run_parse_eval || rc=$((rc ? rc : 1))
    [ "${GOVBUDGET_SKIP_EVAL:-0}" = 1 ] || run_real_eval || rc=$((rc ? rc : 1))
    exit "$rc"
    ;;
  install)
    ;;
  *)
    echo "usage: bash bootstrap.sh [demo|test|install] [extra args]" >&2
    exit 2
    ;;
esac
