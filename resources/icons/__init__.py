"""The console's SVG icons (a package so that installs ship them; see ui/common/icons.py)."""
