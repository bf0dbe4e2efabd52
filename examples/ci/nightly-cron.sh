#!/bin/sh
# The nightly eval from cron, on a machine that keeps results/ between nights. Install with `crontab -e`:
#
#   30 2 * * *  cd /srv/support-eval && ./examples/ci/nightly-cron.sh >> results/nightly.log 2>&1
#
# Exit code: 0 all gates passed, 1 a gate failed, 2 bad usage or input (an unusable baseline too),
# 3 too many errors to trust the run (or every record an error), 4 an internal error (a bug), 130 interrupted.
# If the accepted baseline was deleted by hand, every night stops with exit 2 naming it: accept another
# run (.venv/bin/harness accept results/nightly-YYYYMMDD-HHMMSS; `harness history --eval nightly` lists them).
#
# Later nights are held to the accepted baseline (`--baseline accepted-if-any`). The first night has none:
# it runs without one (its summary.md says so) and, if it passes its gates, is accepted as the baseline.
# Accept another run at any time (after a deliberate change): .venv/bin/harness accept results/nightly-YYYYMMDD-HHMMSS
#
# Each run is named by its UTC start time to the second, so running this by hand on the day of a scheduled
# run starts a run of its own (a name of the day alone would be taken: "already holds a run", exit 2).
set -u
RUN="${RUN:-results/nightly-$(date -u +%Y%m%d-%H%M%S)}"
.venv/bin/harness run evals/nightly.yaml --out "$RUN" --baseline accepted-if-any --quiet --trend-pngs
status=$?
if [ "$status" -eq 0 ] && grep -q '"baseline": null' "$RUN/gates.json" 2>/dev/null; then
  .venv/bin/harness accept "$RUN" && echo "nightly: no baseline was accepted yet: $RUN is now the baseline"
fi
# Publish the self-contained report (and the trend PNGs) where the team looks, e.g. a static web root.
PUBLISH="${PUBLISH_DIR:-/var/www/support-eval}"
if [ -d "$PUBLISH" ] && [ -f "$RUN/report.html" ]; then
  cp "$RUN/report.html" "$PUBLISH/index.html"
  mkdir -p "$PUBLISH/trends" && cp "$RUN"/trends/*.png "$PUBLISH/trends/" 2>/dev/null
fi
# Keep 90 nights of runs, and the accepted baseline however old (later nights are held to it). The index
# says which run that is, even on a night that stopped before writing gates.json (exit 2, 4, or 130);
# names are compared, so an absolute RUN is matched too. When the index cannot say, nothing is deleted.
RESULTS=$(dirname "$RUN")
if ACCEPTED=$(.venv/bin/python -c 'import sys; from harness.history.index import accepted_run
run = accepted_run(sys.argv[1], "nightly"); print(run.name if run else "")' "$RESULTS"); then
  find "$RESULTS" -mindepth 1 -maxdepth 1 -name 'nightly-*' -type d -mtime +90 ! -name "${ACCEPTED:-none}" \
    -exec rm -rf {} +
else
  echo "nightly: could not read the accepted baseline from $RESULTS/index.sqlite: no old run was deleted" >&2
fi
exit $status
