#!/bin/sh
# The nightly eval from cron, on a machine that keeps results/ between nights. Install with `crontab -e`:
#
#   30 2 * * *  cd /srv/support-eval && ./examples/ci/nightly-cron.sh >> results/nightly.log 2>&1
#
# Exit code: 0 all gates passed, 1 a gate failed, 2 bad usage or input, 3 too many errors to trust the run.
set -u
RUN="results/nightly-$(date -u +%Y%m%d)"
.venv/bin/harness run evals/nightly.yaml --out "$RUN" --baseline accepted --quiet --trend-pngs
status=$?
# Publish the self-contained report (and the trend PNGs) where the team looks, e.g. a static web root.
PUBLISH="${PUBLISH_DIR:-/var/www/support-eval}"
if [ -d "$PUBLISH" ] && [ -f "$RUN/report.html" ]; then
  cp "$RUN/report.html" "$PUBLISH/index.html"
  mkdir -p "$PUBLISH/trends" && cp "$RUN"/trends/*.png "$PUBLISH/trends/" 2>/dev/null
fi
# Keep 90 nights of runs; the index (results/index.sqlite) keeps every night's figures.
find results -maxdepth 1 -name 'nightly-*' -type d -mtime +90 -exec rm -rf {} +
exit $status
