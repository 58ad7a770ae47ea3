"""Thin Qt views over app.services.core. Nothing here touches a SQLAlchemy session."""
