"""Thin Qt views over app.services. Nothing here touches a SQLAlchemy session."""
