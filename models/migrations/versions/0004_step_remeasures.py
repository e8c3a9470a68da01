"""re-measures allowed per routing step

A reading out of its limits at a station is measured again before the unit fails: how many times
is master data of the step (one re-measure unless the routing says otherwise), so a mistyped value
or a probe not seated never fails a meter at once, and a real failure still fails after it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routing_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remeasures", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("routing_step", schema=None) as batch_op:
        batch_op.drop_column("remeasures")
