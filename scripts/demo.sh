#!/usr/bin/env bash
# `make demo`: migrate, create a login, import the sample books, recognize them through a real
# queue worker, then serve the admin. Ctrl-C stops the server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8000}
PY=.venv/bin/python
export DEBUG=${DEBUG:-1}

$PY manage.py migrate --noinput -v0
$PY manage.py ocr_check --quiet
login=$($PY manage.py demo_admin)

$PY manage.py import_directory samples/books --books --no-progress

mkdir -p var/log
$PY manage.py qcluster > var/log/qcluster.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT

for book in qinghe-zhang-genealogy annual-report-1901; do
  $PY manage.py recognize --book "$book" --wait 600 &
  waiting=$!
  while kill -0 $waiting 2>/dev/null; do
    if ! kill -0 $worker 2>/dev/null; then
      kill $waiting 2>/dev/null
      echo "The queue worker stopped; its log (var/log/qcluster.log) ends with:" >&2
      tail -n 20 var/log/qcluster.log >&2
      exit 1
    fi
    sleep 1
  done
  wait $waiting
done

echo
echo "Admin:  http://127.0.0.1:$PORT/admin/   $login"
echo "Worker log: var/log/qcluster.log  (Ctrl-C stops the server and the worker)"
echo
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
