"""RS256 keys: the identity service's private key, and the public key every service verifies with.

Resolution, in order: ``JWT_PUBLIC_KEY`` from settings; the public half of this service's own
private key (the identity service); the identity service's JWKS, fetched and kept (``_KeySet``).
"""

import base64
import functools
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwt.algorithms import RSAAlgorithm
from jwt.api_jwk import PyJWK, PyJWKSet
from rest_framework import status
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)


def generate_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _write_new_private_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: when several processes start at once, exactly one
    # key wins and nobody reads a half-written file.
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        file.write(generate_private_key_pem())
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def private_key_pem() -> str | None:
    """The signing key, for the identity service only; ``None`` everywhere else."""
    if settings.JWT_PRIVATE_KEY:
        return settings.JWT_PRIVATE_KEY
    if not settings.JWT_PRIVATE_KEY_FILE:
        return None
    return _private_key_from_file(settings.JWT_PRIVATE_KEY_FILE, generate=settings.JWT_GENERATE_PRIVATE_KEY)


@functools.lru_cache(maxsize=4)
def _private_key_from_file(filename: str, *, generate: bool) -> str:
    """Read once per process: a new key file takes effect on restart."""
    path = Path(filename)
    if not path.exists():
        if not generate:
            raise ImproperlyConfigured(f"JWT private key file {path} does not exist (set JWT_PRIVATE_KEY).")
        _write_new_private_key(path)
    return path.read_text()


@functools.lru_cache(maxsize=4)
def _public_jwk(private_pem: str) -> dict:
    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update(kid=key_id(jwk), use="sig", alg="RS256")
    return jwk


def key_id_of_private_pem(private_pem: str) -> str:
    """The ``kid`` under which the public half of ``private_pem`` is served."""
    return _public_jwk(private_pem)["kid"]


def key_id(jwk: dict) -> str:
    """RFC 7638 thumbprint, so the same key always gets the same ``kid``."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signing_jwk() -> dict:
    """The public JWK of the identity service's signing key (served at /.well-known/jwks.json)."""
    private_pem = private_key_pem()
    if private_pem is None:
        raise ImproperlyConfigured("This service has no JWT private key.")
    return _public_jwk(private_pem)


@functools.lru_cache(maxsize=8)
def _jwk_of_public_pem(public_pem: str) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(serialization.load_pem_public_key(public_pem.encode())))
    jwk.update(kid=key_id(jwk), use="sig", alg="RS256")
    return jwk


def extra_jwks() -> list[dict]:
    """The keys served beside the signing key during a rotation (JWT_EXTRA_PUBLIC_KEYS)."""
    return [_jwk_of_public_pem(pem) for pem in settings.JWT_EXTRA_PUBLIC_KEYS]


def jwks() -> dict:
    """The signing key first, then the previous (or next) ones of a rotation."""
    return {"keys": [signing_jwk(), *extra_jwks()]}


class IdentityUnavailable(APIException):
    """The token's key is not known here and the identity service's JWKS cannot be read: we
    cannot tell whether the token is valid. A 503, never a 500 or a silent 401."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The identity service's keys cannot be read right now; try again shortly."
    default_code = "identity_unavailable"


class _KeySet:
    """The identity service's public keys by ``kid``, fetched from its JWKS.

    A known key is never dropped by a failed fetch, so a restart of the identity service
    leaves every valid token working. An unknown ``kid`` (a new key after a rotation, or a
    forged header) fetches the set again at most once per JWKS_REFETCH_SECONDS after a fetch
    that worked, or per JWKS_FAILURE_RETRY_SECONDS after one that failed: a failure is not kept
    as an answer, and no stream of forged headers makes a fetch per request.
    """

    def __init__(self):
        self.keys: dict[str, object] = {}
        self.last_attempt = 0.0
        self.last_failed = False
        self.fetches = 0
        self.lock = threading.Lock()

    def key(self, kid: str):
        if kid in self.keys:
            return self.keys[kid]
        with self.lock:
            if kid not in self.keys and self._may_fetch():
                self._fetch()
            if kid in self.keys:
                return self.keys[kid]
            if self.last_failed and not self.keys:
                raise IdentityUnavailable
            raise jwt.PyJWKClientError(f"no key {kid!r} in the identity service's JWKS")

    def _may_fetch(self) -> bool:
        wait = settings.JWKS_FAILURE_RETRY_SECONDS if self.last_failed else settings.JWKS_REFETCH_SECONDS
        return not self.fetches or time.monotonic() - self.last_attempt >= wait

    def _fetch(self) -> None:
        self.last_attempt, self.fetches = time.monotonic(), self.fetches + 1
        try:
            response = requests.get(settings.JWT_JWKS_URL, timeout=5)
            response.raise_for_status()
            fetched = {
                jwk.key_id: jwk.key for jwk in PyJWKSet.from_dict(response.json()).keys if jwk.key_id is not None
            }
        except (requests.RequestException, ValueError, TypeError, jwt.PyJWTError) as exc:
            # Not kept: the keys known so far stay, and the next unknown kid may try again soon.
            self.last_failed = True
            logger.warning("JWKS fetch failed", extra={"url": settings.JWT_JWKS_URL, "error": repr(exc)})
            return
        self.last_failed = False
        # A key the identity service no longer serves (rotated out) stops verifying.
        self.keys = fetched


_key_set = _KeySet()


def jwks_reset() -> None:
    """Forgets the fetched keys (a test, or a settings change)."""
    global _key_set  # noqa: PLW0603 - one key set per process
    _key_set = _KeySet()


def jwks_fetch_count() -> int:
    return _key_set.fetches


@functools.lru_cache(maxsize=4)
def _load_public_key(public_pem: str):
    return serialization.load_pem_public_key(public_pem.encode())


def _own_key(token: str, private_pem: str):
    """The identity service verifies with its signing key, or a key it serves beside it."""
    kid = jwt.get_unverified_header(token).get("kid")
    signing = _public_jwk(private_pem)
    if kid is None or kid == signing["kid"]:
        return PyJWK(signing).key
    for jwk in extra_jwks():
        if jwk["kid"] == kid:
            return PyJWK(jwk).key
    raise jwt.PyJWKClientError(f"no key {kid!r} is served here")


def verifying_key(token: str):
    """The public key to verify ``token`` with (raises ``jwt.PyJWKClientError`` when unknown)."""
    if settings.JWT_PUBLIC_KEY:
        return _load_public_key(settings.JWT_PUBLIC_KEY)
    private_pem = private_key_pem()
    if private_pem is not None:
        return _own_key(token, private_pem)
    kid = jwt.get_unverified_header(token).get("kid")
    if not kid:
        raise jwt.PyJWKClientError("the token names no key (kid)")
    return _key_set.key(kid)
