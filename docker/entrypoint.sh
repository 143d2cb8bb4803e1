#!/usr/bin/env bash
# Container entry point: `web`, `worker`, `migrate`, `health`, or `manage ARGS...`.
# Runs the same outside Docker (PYTHON names the interpreter; the tests use the venv's).
# Each long-running command is exec'd, so SIGTERM from `docker stop` reaches it directly:
# gunicorn finishes its requests, qcluster finishes the pages in flight before exiting.
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
    exec "$PYTHON" manage.py qcluster "$@"
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
