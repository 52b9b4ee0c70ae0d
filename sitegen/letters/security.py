"""Passwords (argon2id), secret tokens, CSRF tokens and per-client rate limits for the letters app."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with argon2-cffi's defaults (RFC 9106 "low memory" profile: 64 MiB, 3 passes): memory-hard,
# salted, constant-time to verify, and the hash string carries its parameters, so raising them
# later upgrades each password at its owner's next sign-in (check_needs_rehash).
_HASHER = PasswordHasher()
# What a wrong user name is checked against, so that a missing account costs the same time.
_DUMMY = _HASHER.hash("not a password anyone has")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O or 1/I/l: read aloud and typed back
CODE_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)


def new_code() -> str:
    """A 查询码: 12 characters from 32, 60 bits, shown once and stored only as a hash."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(typed: str) -> str:
    """What a citizen typed, as the code it means: case, spaces and dashes do not matter."""
    return "".join(c for c in typed.upper() if c not in " -\t")


def digest(token: str) -> str:
    """A token's hash: the store keeps these, so a copy of the database opens no letter or session."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_for(secret: bytes, seed: str) -> str:
    """The form token bound to a cookie value (double submit, signed so a cookie alone forges nothing)."""
    return hmac.new(secret, b"csrf\0" + seed.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (a client address), in memory."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self.lock:
            if len(self.events) > 100_000:      # bounded memory: forget the idle ones
                self.events = {k: q for k, q in self.events.items() if q and q[-1] > now - self.window}
            q = self.events.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True
