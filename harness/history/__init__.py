"""History: an SQLite index of the runs in a results directory, and trends over them.

``index`` writes and reads ``<results>/index.sqlite`` (one row per run: its
manifest, headline figures and gate results; the accepted baseline of each
eval); ``trends`` turns it into series per criterion and check; ``charts``
draws them as PNG files; ``svg`` draws them inline for ``report.html``.
"""

INDEX_FILE = "index.sqlite"
