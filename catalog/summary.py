"""How the catalog commands show progress and summaries on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console


@contextmanager
def refresh_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A live status line on stderr ("12 files, 340 entities") while a location is processed."""
    console = Console(stderr=True)
    with console.status(f"Processing {label}") as status:

        def update(files: int, entities: int) -> None:
            status.update(f"Processing {label}: {files} files read, {entities} entities")

        yield update


def print_summary(out: TextIO, summary: dict[str, Any]) -> None:
    """The summary of one refresh, then its first errors."""
    keys = ("added", "updated", "unchanged", "orphaned", "errors", "conflicts")
    out.write(
        ", ".join(f"{summary.get(key, 0)} {key}" for key in keys) + f" ({summary.get('files', 0)} files)"
    )
    for message in summary.get("error_messages", []):
        out.write(f"  error: {message}")
    more = summary.get("errors", 0) + summary.get("conflicts", 0) - len(summary.get("error_messages", []))
    if more > 0:
        out.write(f"  ... and {more} more; see the location in the admin")
