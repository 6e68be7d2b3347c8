"""Mailbox passwords at rest: encrypted with a key derived from the server's secret key.

The key is derived from Django's ``SECRET_KEY`` (set by the ``SECRET_KEY`` environment
variable, or the key file in the data directory) with HKDF, so the database alone never
gives the passwords away. ``SECRET_KEY_FALLBACKS`` still decrypt, so the secret key can be
rotated: passwords entered before keep working until they are entered again. A password
that no key decrypts (the secret key changed) is a clear error on the mailbox, never a crash.
"""

from __future__ import annotations

import base64
import functools
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

# cryptography is imported where a password is encrypted or decrypted, not at start-up: it
# weighs ~8 MB in every web worker, which only touches mailbox passwords on the admin pages.

# Fixed per purpose: the same secret key gives other keys to other uses.
_SALT = b"supportdesk.intake"
_INFO = b"mailbox credentials v1"


class CredentialError(Exception):
    """A stored password that cannot be used; the message says what to do."""


@functools.lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    from cryptography.fernet import MultiFernet

    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(str(secret)) for secret in secrets if secret])


def encrypt(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _keys().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise CredentialError(
            _(
                "The stored password cannot be decrypted with this server's secret key "
                "(the key changed since the password was entered). Enter the password "
                "again in the mailbox settings."
            )
        ) from exc
