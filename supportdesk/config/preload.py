"""What a long-running process loads at start instead of on its first request, mail or job.

Every URL pattern (and so every view module: replies, acknowledgements and inline images
link to pages), the project's compiled templates and both languages' translation catalogs:
0.3 s of imports for the URL patterns alone, which would otherwise land on whichever mail or
request comes first. The web server loads this before its first request (its main process,
before forking several workers; ``config.server``); the worker and the mail intake commands
load it as they start.
"""

from __future__ import annotations

from pathlib import Path


def load_for_work(*, segmenter: bool) -> None:
    """Loads the URL patterns, templates and catalogs; with ``segmenter``, also the search
    analyzer's dictionaries (~19 MB: only for processes that index or search)."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver()._populate()
    # Django's cached template loader keeps each compiled template for the process's life.
    engine = engines["django"]
    for root in sorted(Path(settings.BASE_DIR).glob("*/templates")):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".txt"):
                engine.get_template(path.relative_to(root).as_posix())
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Ticket")
    if segmenter:
        from supportdesk.search.analysis import analyze

        # The segmenter's dictionary and the traditional-to-simplified tables.
        analyze("預熱 segmenter 工单")
