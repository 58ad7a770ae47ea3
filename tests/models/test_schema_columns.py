"""The written-out columns of the head schema (models.schema_columns) match models.entities."""
from __future__ import annotations

from models import Base
from models import schema_columns


def test_every_table_and_column_of_the_models_is_written_out_in_order():
    declared = {name: tuple(column.name for column in table.columns) for name, table in Base.metadata.tables.items()}
    assert schema_columns.HEAD_COLUMNS == declared, (
        "models.entities changed: python -m models.schema_columns > models/schema_columns.py")


def test_rendering_reproduces_the_file_byte_for_byte():
    with open(schema_columns.__file__, encoding="utf-8") as handle:
        assert schema_columns.render() == handle.read()
