"""Who is calling a service: short-lived Ed25519-signed tokens, one key pair per caller.

Every call into learner, jobs and matcher carries ``Authorization: Bearer <token>``, a JWT
signed with the caller's private key, naming the caller (``iss``) and the service (``aud``),
valid for a minute or two. A service holds only public keys, so a compromised service cannot
pose as the gateway. What each caller may do is one table, ``GRANTS``, checked against the
Flask rule a request routed to. ``/healthz`` and ``/readyz`` stay open.

Keys live in one directory (``QABILET_KEYS_DIR``; ``make run`` generates ``var/keys``):
``<caller>.key`` (private, mode 600) and ``<caller>.pub``. In deploy/ each pod mounts its own
private key and every public key. Tests without a keys directory share one in-memory keyring.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, g, request
from flask.testing import FlaskClient

from .errors import Forbidden, Unauthorized
from .settings import BaseSettings

ALGORITHM = "EdDSA"
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
# The operator is `make run`'s seeding, `make status`, imports and load tests on the host.
CALLERS = ("gateway", "learner", "jobs", "matcher", "operator")
ANY = "*"

# service -> caller -> the (method, Flask rule) pairs it may call, or ANY.
GRANTS: dict[str, dict[str, Any]] = {
    "learner": {
        "gateway": ANY,
        "operator": ANY,
        "matcher": {
            ("GET", "/changes"),
            ("GET", "/learners/<learner_id>"),
            ("PUT", "/learners/<learner_id>/extracted-skills"),
        },
    },
    "jobs": {
        "gateway": ANY,
        "operator": ANY,
        "matcher": {("GET", "/changes"), ("GET", "/vacancies/<vacancy_id>")},
        "learner": {("GET", "/changes")},
    },
    "matcher": {"gateway": ANY, "operator": ANY},
}
# A service not in the table (a new one, the kit's own test app) takes calls from these only.
DEFAULT_GRANTS: dict[str, Any] = {"gateway": ANY, "operator": ANY}


class IdentityError(RuntimeError):
    """The keys a service needs are missing or unreadable."""


def generate_keys(keys_dir: Path, names: Iterable[str] = CALLERS) -> list[str]:
    """Create a key pair for every caller in ``names`` that has none; return those created."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    made = []
    for name in names:
        private, public = keys_dir / f"{name}.key", keys_dir / f"{name}.pub"
        if private.exists() and public.exists():
            continue
        key = Ed25519PrivateKey.generate()
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        made.append(name)
    return made


@dataclass
class Keyring:
    """Public keys of every known caller and the private keys this process may sign with."""

    public: dict[str, Ed25519PublicKey]
    private: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    @classmethod
    def load(cls, keys_dir: Path) -> Keyring:
        """Read ``*.pub`` and whatever ``*.key`` files ``keys_dir`` holds."""
        if not keys_dir.is_dir():
            raise IdentityError(
                f"no service keys at {keys_dir}: run `make run` (it generates them) or set "
                "QABILET_KEYS_DIR"
            )
        public: dict[str, Ed25519PublicKey] = {}
        private: dict[str, Ed25519PrivateKey] = {}
        for path in sorted(keys_dir.glob("*.pub")):
            key = serialization.load_pem_public_key(path.read_bytes())
            if isinstance(key, Ed25519PublicKey):
                public[path.stem] = key
        for path in sorted(keys_dir.glob("*.key")):
            secret = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(secret, Ed25519PrivateKey):
                private[path.stem] = secret
        if not public:
            raise IdentityError(f"no public keys (*.pub) in {keys_dir}")
        return cls(public, private)

    @classmethod
    def ephemeral(cls) -> Keyring:
        """Return a keyring with fresh keys for every caller (tests without a keys directory)."""
        private = {name: Ed25519PrivateKey.generate() for name in CALLERS}
        return cls({n: k.public_key() for n, k in private.items()}, private)


_TEST_KEYRING: Keyring | None = None
_TEST_GUARD = threading.Lock()


@lru_cache(maxsize=16)
def load_keyring(keys_dir: Path) -> Keyring:
    """Return the keyring of ``keys_dir``, read once per process."""
    return Keyring.load(keys_dir)


def keyring_for(settings: BaseSettings) -> Keyring:
    """Return the keyring the settings point at (one shared in-memory ring for tests)."""
    global _TEST_KEYRING
    if settings.keys_dir is not None:
        return load_keyring(settings.keys_dir.resolve())
    if not settings.testing:
        return load_keyring(Path("var/keys").resolve())
    with _TEST_GUARD:
        if _TEST_KEYRING is None:
            _TEST_KEYRING = Keyring.ephemeral()
        return _TEST_KEYRING


class Signer:
    """Mint tokens as one caller, reusing each for half its lifetime."""

    def __init__(self, keyring: Keyring, caller: str, ttl: int) -> None:
        if caller not in keyring.private:
            raise IdentityError(f"no private key for {caller!r}: it cannot call other services")
        self.key = keyring.private[caller]
        self.caller = caller
        self.ttl = ttl
        self._cache: dict[str, tuple[str, float]] = {}

    def token(self, audience: str) -> str:
        """Return a token that lets this caller call ``audience``."""
        now = time.time()
        hit = self._cache.get(audience)
        if hit is not None and now < hit[1]:
            return hit[0]
        claims = {
            "iss": self.caller,
            "aud": audience,
            "iat": int(now),
            "exp": int(now) + self.ttl,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self.key, algorithm=ALGORITHM)
        self._cache[audience] = (token, now + self.ttl / 2)
        return token

    def headers(self, audience: str) -> dict[str, str]:
        """Return the Authorization header for a call to ``audience``."""
        return {"Authorization": f"Bearer {self.token(audience)}"}


def signer_for(settings: BaseSettings, caller: str | None = None) -> Signer:
    """Return a signer for ``caller`` (default: this service itself)."""
    return Signer(keyring_for(settings), caller or settings.service, settings.service_token_ttl)


def operator_headers(keys_dir: Path, service: str, ttl: int = 300) -> dict[str, str]:
    """Return the header a host script (seeding, status, benchmarks) sends to ``service``."""
    return Signer(load_keyring(keys_dir.resolve()), "operator", ttl).headers(service)


class Verifier:
    """Check the caller token of every request into one service against ``GRANTS``."""

    def __init__(
        self, service: str, keyring: Keyring, grants: Mapping[str, Any] | None = None
    ) -> None:
        self.service = service
        self.keys = keyring.public
        self.grants = GRANTS.get(service, DEFAULT_GRANTS) if grants is None else grants
        self._verified: dict[str, tuple[str, float]] = {}

    def caller(self, token: str) -> str:
        """Return the verified caller of ``token``; raise Unauthorized if it is not valid."""
        now = time.time()
        hit = self._verified.get(token)
        if hit is not None and now < hit[1]:
            return hit[0]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            issuer = str(unverified.get("iss", ""))
            key = self.keys.get(issuer)
            if key is None:
                raise jwt.InvalidIssuerError("unknown caller")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.service,
                issuer=issuer,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise _unauthorized(f"the caller token is not valid ({exc})") from exc
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[token] = (issuer, float(claims["exp"]))
        return issuer

    def allowed(self, caller: str, method: str, rule: str | None) -> bool:
        """Tell whether ``caller`` may call ``method`` on the Flask ``rule``."""
        grant = self.grants.get(caller)
        if grant == ANY:
            return True
        return isinstance(grant, set | frozenset) and (method, rule) in grant

    def check_request(self) -> None:
        """Verify the current request's caller (before_request hook)."""
        if request.path in OPEN_PATHS:
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("this service needs a caller token: 'Authorization: Bearer ...'")
        caller = self.caller(token.strip())
        rule = request.url_rule.rule if request.url_rule is not None else None
        method = "GET" if request.method == "HEAD" else request.method
        if rule is not None and not self.allowed(caller, method, rule):
            raise Forbidden(f"the caller {caller!r} may not call {method} {rule}")
        g.caller = caller


def _unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Bearer realm="qabilet-services"'})


class SignedTestClient(FlaskClient):
    """A test client that calls as the gateway unless a test sends its own Authorization."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Send one request, adding the gateway's caller token when none is given."""
        headers = dict(kwargs.pop("headers", None) or {})
        if "Authorization" not in headers:
            signer: Signer | None = self.application.extensions.get("qabilet_test_signer")
            if signer is not None:
                headers.update(signer.headers(self.application.config["SETTINGS"].service))
        kwargs["headers"] = {k: v for k, v in headers.items() if v is not None}
        return super().open(*args, **kwargs)


def init_identity(app: Flask, settings: BaseSettings) -> Verifier:
    """Make ``app`` verify every caller; in tests, let its test client sign as the gateway."""
    keyring = keyring_for(settings)
    verifier = Verifier(settings.service, keyring)
    app.extensions["qabilet_verifier"] = verifier
    app.before_request(verifier.check_request)
    if settings.testing and "gateway" in keyring.private:
        app.extensions["qabilet_test_signer"] = Signer(keyring, "gateway", 3600)
        app.test_client_class = SignedTestClient
    return verifier


def split_per_caller(keys_dir: Path, out_dir: Path) -> None:
    """Write ``out_dir/<caller>/``: that caller's private key and every public key (deploy/)."""
    for name in CALLERS:
        target = out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)
        for pub in keys_dir.glob("*.pub"):
            (target / pub.name).write_bytes(pub.read_bytes())
        private = keys_dir / f"{name}.key"
        (target / private.name).write_bytes(private.read_bytes())
        (target / private.name).chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    """`python -m services.common.identity generate DIR [--per-caller OUT]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m services.common.identity")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="create missing key pairs for every caller")
    gen.add_argument("keys_dir", type=Path)
    gen.add_argument("--per-caller", type=Path, help="also write one directory per caller")
    args = parser.parse_args(argv)
    made = generate_keys(args.keys_dir)
    print(f"keys in {args.keys_dir}: created {', '.join(made) or 'none (all present)'}")
    if args.per_caller is not None:
        split_per_caller(args.keys_dir, args.per_caller)
        print(f"one directory per caller under {args.per_caller}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
