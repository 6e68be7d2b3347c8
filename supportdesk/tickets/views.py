"""Views shared by the portal and the agent workspace."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from supportdesk.tickets.selectors import get_attachment_for_user


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serves an attachment to whoever may see it, always as a download (never rendered).

    Outsiders get 404. ``Content-Disposition: attachment``, ``nosniff`` and a sandboxing CSP
    keep even a hostile file from running in our origin.
    """
    attachment = get_attachment_for_user(request.user, pk)  # type: ignore[arg-type]
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True
    )
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "_")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
