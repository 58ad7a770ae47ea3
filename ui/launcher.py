"""The ``wsc`` entry point, at the top of the layering.

Headless commands (import, export, route, bundle, ...) are app.cli's and never load Qt;
this module adds the one command that needs the GUI, ``gui``, which is also what a bare
``wsc`` runs. ui sits above app, so the GUI is imported plainly here and never reached up
to from the domain.
"""
from __future__ import annotations

import argparse
import sys

TABS = ("work-distribution", "context-variables", "routing-rules", "classification-rules", "agent-panel")
VIEWS = ("workstreams", "queues", "agents", "presences", "channels", "agent-panel", "skills", "capacity_profiles")


class GuiCommand:
    """``wsc gui``: the app's window (the default command)."""

    @staticmethod
    def add_parser(subparsers) -> None:
        gui = subparsers.add_parser("gui", help="open the app (the default command)")
        gui.add_argument("--screenshot", metavar="PATH", help="render the window to a PNG and exit")
        gui.add_argument("--workstream", metavar="NAME", help="open this work stream's editor")
        gui.add_argument("--tab", choices=TABS, help="the editor tab (or the live agent panel) to show")
        gui.add_argument("--view", choices=VIEWS, help="the main window view to show")
        gui.add_argument("--size", default="1280x800", metavar="WxH", help="window size for --screenshot")
        gui.add_argument("--presentation", action="store_true",
                         help="the live agent panel in presentation mode (large type, for a projector)")
        gui.set_defaults(handler=GuiCommand.run)

    @staticmethod
    def run(args: argparse.Namespace, ctx) -> int:
        # Imported only when asked for: `wsc export` must work without Qt's start-up cost.
        from ui.shell import startup

        return startup.run(ctx.db_url, screenshot=args.screenshot, workstream=args.workstream, tab=args.tab,
                           view=args.view, size=args.size, presentation=args.presentation)


def main(argv: list[str] | None = None, ctx=None) -> int:
    from app.cli import main as cli_main, run_as_program

    if ctx is not None:  # tests: their own streams
        return cli_main(argv, ctx, extra_commands=(GuiCommand,), default_command="gui")
    return run_as_program(argv, extra_commands=(GuiCommand,), default_command="gui")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
