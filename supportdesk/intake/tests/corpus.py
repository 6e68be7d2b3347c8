"""Access to the shared corpus of real mail (``../shared/corpus/mail`` beside the project)."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "mail"
EXPECTATION_SUFFIXES = {".yml", ".json", ".md"}


def corpus_messages() -> list[Path]:
    """Every message file of the development corpus, in a stable order."""
    return sorted(
        path
        for path in CORPUS.rglob("*")
        if path.is_file()
        and path.suffix not in EXPECTATION_SUFFIXES
        and "LICENSE" not in path.name
        and not path.name.startswith(".")
    )


def corpus_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))
