"""Every refusal code is one the domain really raises, and one a test really provokes.

A code nobody raises is a promise the screens would translate for nothing; a code no test provokes
is a refusal nobody has seen leave the database unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.errors import DomainError, ErrorCode

ROOT = Path(__file__).resolve().parents[2]


def _mentions(folder: str) -> set[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / folder).rglob("*.py"))
    return set(re.findall(r"ErrorCode\.([A-Z0-9_]+)", text))


@pytest.mark.parametrize("code", list(ErrorCode))
def test_the_domain_raises_it(code: ErrorCode) -> None:
    assert code.name in _mentions("models") | _mentions("models/migrations"), f"{code} is never raised"


@pytest.mark.parametrize("code", list(ErrorCode))
def test_a_test_provokes_it(code: ErrorCode) -> None:
    assert code.name in _mentions("tests"), f"no test provokes {code}"


def test_codes_are_stable_strings_equal_to_their_names() -> None:
    assert all(code.value == code.name for code in ErrorCode)


def test_a_domain_error_carries_its_code_and_parameters_even_a_parameter_named_code() -> None:
    error = DomainError(ErrorCode.LOT_ON_HOLD, code="R261125-0001")
    assert error.code is ErrorCode.LOT_ON_HOLD
    assert error.params == {"code": "R261125-0001"}
    assert "LOT_ON_HOLD" in str(error) and "R261125-0001" in str(error)
