"""Web tests share the API tests' world (organisations, users, tokens)."""

from tests.api.conftest import world, world_template

__all__ = ["world", "world_template"]
