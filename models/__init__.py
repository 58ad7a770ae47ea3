"""Typed SQLAlchemy models and the one engine/session factory. No Qt here."""
