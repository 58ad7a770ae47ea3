"""Configuration bundles (.wsbundle): the Qt-free, database-free file layer.

Hostile-input zip reading and strict JSON are ``app.common.safety`` (shared with CMT packages
and documents).

* ``manifest`` — the manifest schema, canonical JSON, versions, HMAC signature;
* ``format``   — ``write_bundle`` / ``read_bundle``;
* ``diff``     — semantic diff of two configuration documents;
* ``delta``    — delta documents: make, detect conflicts, apply.
"""
from __future__ import annotations

from app.common.safety import BundleRejected, RejectedInput

__all__ = ["BundleRejected", "RejectedInput"]
