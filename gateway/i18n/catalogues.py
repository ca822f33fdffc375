"""The gettext catalogues: the .po files are the text's one source, the .mo files build output."""

from __future__ import annotations

import functools
import io
import os
import uuid
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"
LANGUAGES = ("kk", "ru", "en")
FALLBACK = "en"


def po_path(lang: str, directory: Path = TRANSLATIONS_DIR) -> Path:
    """Return the catalogue source of ``lang``."""
    return directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path: Path, lang: str) -> Catalog:
    """Parse one .po file."""
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def compile_catalogues(directory: Path = TRANSLATIONS_DIR, *, force: bool = False) -> list[Path]:
    """Compile each .po whose .mo is missing or older (what ``pybabel compile`` does).

    Several gunicorn workers may start at once: each writes its own temporary file and renames
    it over the .mo, so none reads a half-written one.
    """
    written = []
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read_catalogue(po, po.parent.parent.name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        with tmp.open("wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


@functools.cache
def translations(lang: str) -> Translations:
    """Return the compiled catalogue of ``lang`` (English behind it), loaded once per process."""
    if lang not in LANGUAGES:
        lang = FALLBACK
    po = po_path(lang)
    try:
        compile_catalogues()
    except OSError:  # a read-only tree (an image built without them): compile in memory below
        pass
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            loaded = Translations(compiled, domain=DOMAIN)
    else:
        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(po, lang))
        buffer.seek(0)
        loaded = Translations(buffer, domain=DOMAIN)
    if lang != FALLBACK:
        loaded.add_fallback(translations(FALLBACK))
    return loaded


@functools.cache
def catalogue(lang: str) -> Catalog:
    """Return the parsed .po of ``lang`` (for listing the message ids and checking the text)."""
    return read_catalogue(po_path(lang), lang)


def message_ids() -> frozenset[str]:
    """Return every message key of the interface (the English catalogue's msgids)."""
    return frozenset(_key(message) for message in catalogue(FALLBACK) if message.id)


def plural_ids() -> frozenset[str]:
    """Return the keys of the messages whose words agree with a number."""
    return frozenset(_key(m) for m in catalogue(FALLBACK) if m.id and m.pluralizable)


def _key(message: Message) -> str:
    """Return a message's key (a plural entry's id is its singular and plural pair)."""
    return str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
