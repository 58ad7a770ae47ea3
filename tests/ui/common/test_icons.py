"""Every icon the console names loads, draws something, and greys out when disabled."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from ui.common.icons import NAMES, icon, rendered_icon


def _ink(icon_: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> set[int]:
    image = icon_.pixmap(QSize(20, 20), mode).toImage()
    assert not image.isNull()
    return {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())
            if (image.pixel(x, y) >> 24) & 0xFF}


@pytest.mark.parametrize("name", NAMES)
def test_each_icon_draws_and_has_a_disabled_look(qapp, name):
    normal = _ink(icon(name))
    assert normal, f"{name} draws nothing at 20 px"
    assert _ink(icon(name), QIcon.Mode.Disabled) != normal


def test_icons_are_cached_and_unknown_names_fail(qapp):
    assert icon("save").cacheKey() == icon("save").cacheKey()
    with pytest.raises(FileNotFoundError):
        icon("no-such-icon")


def test_the_rendered_fallback_draws_the_same_icons(qapp):
    assert _ink(rendered_icon("queue"))
    assert rendered_icon("queue").availableSizes()
