"""Badge + PIN: argon2 hashes, five wrong PINs lock the badge, a supervisor unlocks it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.auth import MAX_WRONG_PINS, authenticate, hash_pin, unlock
from models.errors import DomainError, ErrorCode
from models.schema import Role, User
from tests.support import OPERATOR, SUPERVISOR, Plant


def test_right_pin_logs_in_with_the_users_roles(plant: Plant) -> None:
    operator = authenticate(plant.db, OPERATOR, "1234")
    assert operator.badge_code == OPERATOR
    assert operator.roles == frozenset({Role.OPERATOR})
    with plant.db.session() as session:
        stored = session.scalars(select(User.pin_hash).where(User.badge_code == OPERATOR)).one()
    assert stored.startswith("$argon2id$") and "1234" not in stored


def test_five_wrong_pins_lock_the_badge_until_a_supervisor_unlocks_it(plant: Plant) -> None:
    for attempt in range(1, MAX_WRONG_PINS):
        with pytest.raises(DomainError) as refused:
            authenticate(plant.db, OPERATOR, "0000")
        assert refused.value.code is ErrorCode.WRONG_PIN
        assert refused.value.params["remaining"] == MAX_WRONG_PINS - attempt
    with pytest.raises(DomainError) as refused:
        authenticate(plant.db, OPERATOR, "0000")
    assert refused.value.code is ErrorCode.USER_LOCKED
    with pytest.raises(DomainError) as refused:
        authenticate(plant.db, OPERATOR, "1234")  # the right PIN no longer helps
    assert refused.value.code is ErrorCode.USER_LOCKED

    operator = authenticate(plant.db, "EMP1002", "2345")
    with pytest.raises(DomainError) as refused:
        unlock(plant.db, operator, OPERATOR)
    assert refused.value.code is ErrorCode.ROLE_REQUIRED
    unlock(plant.db, authenticate(plant.db, SUPERVISOR, "2468"), OPERATOR)
    assert authenticate(plant.db, OPERATOR, "1234").badge_code == OPERATOR


def test_a_right_pin_resets_the_count_of_wrong_ones(plant: Plant) -> None:
    for _ in range(MAX_WRONG_PINS - 1):
        with pytest.raises(DomainError):
            authenticate(plant.db, OPERATOR, "9999")
    authenticate(plant.db, OPERATOR, "1234")
    with pytest.raises(DomainError) as refused:
        authenticate(plant.db, OPERATOR, "9999")
    assert refused.value.params["remaining"] == MAX_WRONG_PINS - 1


def test_unknown_badge_is_refused(plant: Plant) -> None:
    with pytest.raises(DomainError) as refused:
        authenticate(plant.db, "EMP0000", "1234")
    assert refused.value.code is ErrorCode.UNKNOWN_USER


@pytest.mark.parametrize("pin", ["", "12", "abcd", "1234567890123"])
def test_pins_are_four_to_twelve_digits(pin: str) -> None:
    with pytest.raises(DomainError) as refused:
        hash_pin(pin)
    assert refused.value.code is ErrorCode.BAD_INPUT
