"""Where ``report.html`` keeps its records' rows: as text, not as elements, until the page shows them.

A run of 20,000 records wrote 20,000 summary rows and their hidden details into the page: 74 MB, 1.4 M
elements, 29 s before headless Chromium had loaded it. The rows are now written, exactly as before, into one
``<script type="text/x-harness-records">`` (a browser reads a script's text as one string and builds no element
of it) with :data:`SEP` between two records; the page's script (html_list_js) makes the rows of the page of
records shown, and a record's detail only when it is opened. A record's text holds only our own markup and
escaped text, which never holds ``<|`` (every ``<`` of the data is escaped) nor ``</script``.

What many records share is written once (:class:`SharedParts`): a candidate's system prompt, and a check's
verdict line (``check_x: pass``, the same on most records). A record's detail holds ``<|k>`` in its place, and
the parts sit in a second such block. A small run's page holds its rows whole (:data:`COMPACT_AT`), as before.
"""

from __future__ import annotations

import re

SEP = "<|>"  # between two records (and two shared parts) in a store
PLACE = re.compile(r"<\|(\d+)>")  # a shared part's place in a record's detail
COMPACT_AT = 500  # from this many records on, shared parts stay shared in the page (below: written in place)
STORE_ID, PARTS_ID = "record-store", "record-parts"


class SharedParts:
    """Texts many records' details hold the same, each kept once: ``add`` gives its place holder."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.texts: list[str] = []

    def add(self, html: str) -> str:
        if not html:
            return html
        k = self.index.get(html)
        if k is None:
            k = self.index[html] = len(self.texts)
            self.texts.append(html)
        return f"<|{k}>"

    def expand(self, html: str) -> str:
        """``html`` with every place holder replaced by its text."""
        if "<|" not in html:
            return html
        texts = self.texts
        return PLACE.sub(lambda m: texts[int(m.group(1))], html)


def store_parts(records: list[str], shared: SharedParts, compact: bool) -> list[str]:
    """The page's store blocks as pieces (joined once with the page): the records, then the shared parts."""
    out = [f'<script type="text/x-harness-records" id="{STORE_ID}">']
    for k, text in enumerate(records):
        if k:
            out.append(SEP)
        out.append(text)
    out.append("</script>")
    if compact and shared.texts:
        out += [f'<script type="text/x-harness-records" id="{PARTS_ID}">', SEP.join(shared.texts), "</script>"]
    return out


def pager(element_id: str, what: str) -> str:
    """The page buttons under a long list (the script shows them when the list has more than one page)."""
    return (f'<nav class="pager" id="{element_id}" aria-label="{what} pages" hidden>'
            '<button type="button" data-go="first">« first</button>'
            '<button type="button" data-go="prev">‹ previous</button>'
            '<span class="muted" aria-live="polite"></span>'
            '<button type="button" data-go="next">next ›</button>'
            '<button type="button" data-go="last">last »</button></nav>')


PAGER_CSS = """
nav.pager { display: flex; flex-wrap: wrap; gap: .4rem .8rem; align-items: center; margin: .5rem 0; }
nav.pager[hidden] { display: none; }
nav.pager button { font: inherit; padding: .2rem .7rem; }
@media print { nav.pager { display: none !important; } }
"""
