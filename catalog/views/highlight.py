"""Syntax highlighting of definitions and descriptors with Pygments (colours in static/greenroom/pygments.css)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Past this size the source is shown plain: highlighting megabytes would stall the page.
MAX_HIGHLIGHT_CHARS = 400_000


def highlight_source(text: str, language: str) -> SafeString:
    """The source as HTML, highlighted as ``language`` (a Pygments lexer name), plain when unknown or huge."""
    if len(text) > MAX_HIGHLIGHT_CHARS:
        return mark_safe(f'<div class="hl"><pre>{escape(text)}</pre></div>')
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return mark_safe(highlight(text, lexer, HtmlFormatter(cssclass="hl", wrapcode=True)))  # noqa: S308 (Pygments escapes)
