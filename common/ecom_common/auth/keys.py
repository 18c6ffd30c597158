"""RS256 keys: the identity service's private key, and the public key every service verifies with.

Resolution, in order: ``JWT_PUBLIC_KEY`` from settings; the public half of this service's own
private key (the identity service); the identity service's JWKS, fetched once and cached.
"""

import base64
import functools
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwt import PyJWKClient
from jwt.algorithms import RSAAlgorithm
from jwt.api_jwk import PyJWK


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


def jwks() -> dict:
    return {"keys": [signing_jwk()]}


@functools.lru_cache(maxsize=4)
def _jwks_client(url: str) -> PyJWKClient:
    # PyJWKClient caches the key set and refetches it only for an unknown kid.
    return PyJWKClient(url, cache_jwk_set=True, lifespan=3600, timeout=5)


@functools.lru_cache(maxsize=4)
def _load_public_key(public_pem: str):
    return serialization.load_pem_public_key(public_pem.encode())


def verifying_key(token: str):
    """The public key to verify ``token`` with (raises ``jwt.PyJWKClientError`` when unknown)."""
    if settings.JWT_PUBLIC_KEY:
        return _load_public_key(settings.JWT_PUBLIC_KEY)
    private_pem = private_key_pem()
    if private_pem is not None:
        return PyJWK(_public_jwk(private_pem)).key
    return _jwks_client(settings.JWT_JWKS_URL).get_signing_key_from_jwt(token).key
