"""Reading Django test responses whether or not they were streamed."""

from __future__ import annotations

from typing import Any


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
