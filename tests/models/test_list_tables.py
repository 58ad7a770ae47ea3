"""The light table views the lists read must name real columns, with the types the models give them."""
from __future__ import annotations

import pytest

from models import Base, list_tables


@pytest.mark.parametrize("view", list_tables.ALL, ids=lambda view: view.name)
def test_each_view_names_a_table_and_columns_of_the_models_with_their_types(view):
    table = Base.metadata.tables[view.name]
    for column in view.columns:
        assert column.name in table.columns, f"{view.name}.{column.name} is not a column of the models"
        declared = table.columns[column.name].type
        # the type decides what a row holds: a datetime, not SQLite's text; a bool, not 0/1
        assert declared._type_affinity is column.type._type_affinity, (
            f"{view.name}.{column.name}: {column.type!r} here, {declared!r} in the models")


def test_the_check_sees_a_column_the_models_lack():
    from sqlalchemy import Integer, column, table

    stray = table("queue", column("size_in_litres", Integer))
    with pytest.raises(AssertionError, match="size_in_litres"):
        test_each_view_names_a_table_and_columns_of_the_models_with_their_types(stray)
