"""Cleaning what users send before a service stores it: text without invisible characters at its ends, safe
attachment names, a file's type from its content."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

import filetype
from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tracking.models import Attachment


def _is_invisible(ch: str) -> bool:
    """White space, and Unicode's format characters and separators (zero-width space, joiners, byte-order mark)."""
    return ch.isspace() or unicodedata.category(ch) in {"Cf", "Zs", "Zl", "Zp"}


def strip_invisible(value: str) -> str:
    """The text without invisible characters at either end: a summary of one zero-width space is no summary."""
    start, end = 0, len(value)
    while start < end and _is_invisible(value[start]):
        start += 1
    while end > start and _is_invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def _clean_fields(fields: dict) -> dict:
    """Text fields without surrounding white space or invisible characters: a summary of spaces is no summary (the
    model then refuses it)."""
    return {name: strip_invisible(value) if isinstance(value, str) else value for name, value in fields.items()}


def sanitize_filename(name: str) -> str:
    """A safe display name: the last path component only, no traversal, no control characters, bounded."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    safe = get_valid_filename(base) if base else ""
    return (safe or "attachment")[:200]


def typed_filename(name: str, content_type: str) -> str:
    """The name's stem with the extension of its detected content type."""
    suffix = settings.ATTACHMENT_CONTENT_TYPES.get(content_type, "")
    stem = PurePath(name).stem if PurePath(name).suffix else name
    return (stem or "attachment")[: 200 - len(suffix)] + suffix


def attachment_download_name(attachment: Attachment) -> str:
    """The name a download is saved under: the stored name with its type's extension (also for files attached
    before names followed their type)."""
    return typed_filename(attachment.name, attachment.content_type)


def file_too_large_message() -> str:
    """Also what the pages and the API say when planpromo.uploads stopped reading an upload at the limit."""
    return _("The file is too large: the limit is %(limit)s bytes.") % {"limit": settings.ATTACHMENT_MAX_BYTES}


def detect_content_type(uploaded_file) -> str | None:
    """The file's type from its first bytes (not its name or the client's Content-Type), if allowed."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in settings.ATTACHMENT_CONTENT_TYPES:
        return None
    return kind.mime
