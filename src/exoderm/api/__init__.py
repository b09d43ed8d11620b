"""The exoderm REST API (FastAPI): ``create_app`` builds the service, API and web pages."""

from exoderm.api.app import create_app

__all__ = ["create_app"]
