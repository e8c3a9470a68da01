"""Operators: badge + PIN (argon2); five wrong PINs lock the badge until a supervisor unlocks it."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from models.db import Database
from models.errors import DomainError, ErrorCode
from models.schema import Role, User, UserRole

MAX_WRONG_PINS = 5

# Station PCs are modest and a login must feel instant: 64 MiB / 2 passes stays well under 100 ms
# while keeping a stolen hash expensive to brute-force (a PIN has little entropy of its own).
_hasher = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=1)


def hash_pin(pin: str) -> str:
    if not pin or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise DomainError(ErrorCode.BAD_INPUT, field="pin", why="4 to 12 digits")
    return _hasher.hash(pin)


@dataclass(frozen=True)
class Operator:
    """Who is logged in at a station: what the screens show and what decides what they offer."""

    user_id: int
    badge_code: str
    name: str
    roles: frozenset[Role]
    language: str


def new_user(badge_code: str, name: str, pin: str, roles: set[Role], language: str = "zh_CN") -> User:
    return User(
        badge_code=badge_code,
        name=name,
        pin_hash=hash_pin(pin),
        active=True,
        failed_pin_count=0,
        locked=False,
        language=language,
        role_rows=[UserRole(role=role) for role in sorted(roles)],
    )


def authenticate(db: Database, badge_code: str, pin: str) -> Operator:
    """Check badge and PIN; count wrong PINs in the database so a lockout holds across stations."""
    refusal: DomainError | None = None
    with db.session() as session, session.begin():
        user = session.scalars(
            select(User).where(User.badge_code == badge_code.strip()).with_for_update()
        ).first()
        if user is None:
            raise DomainError(ErrorCode.UNKNOWN_USER, badge=badge_code)
        if not user.active:
            raise DomainError(ErrorCode.USER_INACTIVE, user=user.name)
        if user.locked:
            raise DomainError(ErrorCode.USER_LOCKED, user=user.name)
        if pin_matches(user, pin):
            user.failed_pin_count = 0
            operator = Operator(user.id, user.badge_code, user.name, user.roles, user.language)
        else:
            # The failed attempt must be committed, so the refusal is raised after the commit.
            refusal = _count_wrong_pin(user)
    if refusal is not None:
        raise refusal
    return operator


def pin_matches(user: User, pin: str) -> bool:
    """The PIN against the user's argon2 hash: a login, or a signature re-entering it (21 CFR 11.200).

    Only says yes or no: whoever asks counts a wrong PIN toward the lockout (`count_wrong_pin`).
    """
    if not isinstance(pin, str) or not pin:
        return False
    try:
        return _hasher.verify(user.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def count_wrong_pin(db: Database, user_id: int) -> DomainError:
    """Count a wrong PIN typed to sign an action toward the same lockout as a login; the refusal.

    A signature is checked inside the action's transaction, which its refusal rolls back: the count
    is written here, in a short transaction of its own, once that rollback is done (on SQLite the
    action's transaction holds the write lock, so it could not be written beside it).
    """
    with db.session() as session, session.begin():
        user = session.scalars(select(User).where(User.id == user_id).with_for_update()).one()
        return _count_wrong_pin(user)


def _count_wrong_pin(user: User) -> DomainError:
    user.failed_pin_count += 1
    user.locked = user.failed_pin_count >= MAX_WRONG_PINS
    if user.locked:
        return DomainError(ErrorCode.USER_LOCKED, user=user.name)
    return DomainError(ErrorCode.WRONG_PIN, user=user.name, remaining=MAX_WRONG_PINS - user.failed_pin_count)


def unlock(db: Database, supervisor: Operator, badge_code: str) -> None:
    if not supervisor.roles & {Role.SUPERVISOR, Role.ADMIN}:
        raise DomainError(ErrorCode.ROLE_REQUIRED, roles=[Role.SUPERVISOR.value, Role.ADMIN.value])
    with db.session() as session, session.begin():
        user = session.scalars(select(User).where(User.badge_code == badge_code)).first()
        if user is None:
            raise DomainError(ErrorCode.UNKNOWN_USER, badge=badge_code)
        user.locked = False
        user.failed_pin_count = 0
