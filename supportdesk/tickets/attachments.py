"""Checking, storing and serving attachments safely.

Uploads are checked before anything is written (size, allowed extension, a name that is
only a name). Files are stored under random names; the original name lives in the row.
Downloads always carry ``Content-Disposition: attachment``, ``nosniff`` and a content type
from a short list of inert types; anything else is ``application/octet-stream``, so a file
can never render as HTML or script from our origin.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from supportdesk.core.errors import ActionError

# Types a browser will not execute; served as themselves (still as downloads).
INERT_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf",
     "text/plain", "text/csv", "application/zip", "application/gzip"}
)  # fmt: skip


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    filename: str
    content_type: str


def clean_filename(raw: str) -> str:
    """Keeps the visible name (Chinese included) but drops paths and control characters."""
    name = os.path.basename(raw.replace("\\", "/")).strip()
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.lstrip(".")
    return name[:200] or "attachment"


def extension_of(filename: str) -> str:
    lowered = filename.lower()
    for compound in ("tar.gz", "tar.bz2"):
        if lowered.endswith("." + compound):
            return "gz"
    return lowered.rsplit(".", 1)[-1] if "." in lowered else ""


def safe_content_type(filename: str) -> str:
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed if guessed in INERT_CONTENT_TYPES else "application/octet-stream"


def check_uploads(files: Iterable[UploadedFile], field: str = "attachments") -> list[CheckedUpload]:
    """Checks every file; raises one ActionError naming each refused file and why."""
    checked: list[CheckedUpload] = []
    problems: list[str] = []
    limit = settings.ATTACHMENT_MAX_BYTES
    allowed = {ext.lower() for ext in settings.ATTACHMENT_ALLOWED_EXTENSIONS}
    for upload in files:
        name = clean_filename(upload.name or "")
        size = upload.size or 0
        if size > limit:
            problems.append(
                _("%(name)s is %(size)s; the limit is %(limit)s.")
                % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
            )
            continue
        if extension_of(name) not in allowed:
            problems.append(
                _("%(name)s: this file type is not accepted. Accepted types: %(types)s.")
                % {"name": name, "types": ", ".join(sorted(allowed))}
            )
            continue
        checked.append(
            CheckedUpload(file=upload, filename=name, content_type=safe_content_type(name))
        )
    if problems:
        raise ActionError({field: problems})
    return checked


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
