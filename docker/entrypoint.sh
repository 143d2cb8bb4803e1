#!/usr/bin/env bash
# Container entry point: `web`, `worker`, `migrate`, `health`, or `manage ARGS...`.
# Runs the same outside Docker (PYTHON names the interpreter; the tests use the venv's).
# gunicorn is exec'd, so SIGTERM from `docker stop` reaches it directly; the worker gets it
# through this shell (see below). gunicorn finishes its requests, qcluster the pages in
# flight, before exiting.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}

migrate() {
  "$PYTHON" manage.py migrate --noinput
}

command=${1:-web}
[ $# -gt 0 ] && shift
case "$command" in
  web)
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
      migrate
    fi
    exec "$PYTHON" -m gunicorn config.wsgi:application \
      --config docker/gunicorn.conf.py \
      --bind "${WEB_BIND:-0.0.0.0}:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" \
      --timeout "${WEB_TIMEOUT:-120}" \
      --graceful-timeout "${WEB_GRACEFUL_TIMEOUT:-30}" \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --access-logfile - \
      "$@"
    ;;
  worker)
    # Refuses to start without models (ocr.E001); never downloads any.
    # qcluster runs in a session of its own and this shell passes SIGTERM/SIGINT to its main
    # process alone: a signal to the whole process group (systemd, `kill -TERM -- -PGID`)
    # would otherwise also reach the pool's processes, killing pages mid-recognition and
    # leaving the cluster waiting on its dead sentinel.
    setsid "$PYTHON" manage.py qcluster "$@" &
    cluster=$!
    trap 'kill -TERM "$cluster" 2>/dev/null || true' TERM INT
    status=0
    while kill -0 "$cluster" 2>/dev/null; do  # a trapped signal ends a wait early: again
      if wait "$cluster"; then status=0; else status=$?; fi
    done
    exit "$status"
    ;;
  migrate)
    migrate
    ;;
  health)
    exec "$PYTHON" manage.py health "$@"
    ;;
  manage)
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    echo "usage: entrypoint.sh web|worker|migrate|health|manage ARGS..." >&2
    exit 64
    ;;
esac
