"""The What-if lab view (``ui.whatif.view.WhatIfView``); imported only when opened."""
from __future__ import annotations


def open_whatif_lab(window) -> None:
    """Open the lab in its own window over ``window``'s services (nothing while they are loading)."""
    if getattr(window, "services", None) is None:
        return
    from PySide6.QtCore import Qt

    from ui.whatif.view import WhatIfView  # imported on first use: start-up stays light

    view = WhatIfView(window.services, window)
    view.setWindowFlag(Qt.WindowType.Window, True)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    view.resize(1280, 760)
    view.show()
