"""A batch's upload body written to a file on disk and sent from there, read in chunks as it goes out.

A batch may hold up to 200 MB of requests (OpenAI's input file, Anthropic's POSTed list): built in memory,
the body, and the JSON it was encoded from, raised a run's peak memory by about that much per batch sent,
three times over for Anthropic's list. Here each request's bytes are written as they are made, to a temporary
file beside the batch's request file (a run directory's disk, not ``/tmp``, which may be memory), and the
HTTP client streams that file: its size is known, so the request still carries a ``Content-Length``. Every
attempt (a retry, a 307 redirect) opens the file again; it is deleted when the upload is done or failed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PREFIX = ".upload-"  # "batch/.upload-<random>.body": a run killed mid-upload may leave one; nothing reads it


class UploadBody:
    """The file an upload is sent from: :meth:`open` gives a new handle for each attempt; all are closed at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handles: list[IO[bytes]] = []

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def open(self) -> IO[bytes]:
        handle = self.path.open("rb")
        self._handles.append(handle)
        return handle

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles = []


@contextmanager
def spooled_upload(chunks: Iterable[bytes], folder: Path | None = None) -> Iterator[UploadBody]:
    """``chunks`` written one at a time to a temporary file in ``folder`` (the system's temporary folder when
    None), as an :class:`UploadBody`; the file is removed when the block ends, however it ends."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=PREFIX, suffix=".body", dir=folder)
    body = UploadBody(Path(name))
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        yield body
    finally:
        body.close()
        body.path.unlink(missing_ok=True)
