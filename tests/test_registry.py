"""The registry behind the fault catalog and the legal variants (ticonf.core.registry)."""

from __future__ import annotations

import pytest

from ticonf.core.errors import ConfigError
from ticonf.core.registry import Registry


def widgets() -> Registry[str]:
    """A registry whose entries are the names of the decorated classes."""
    registry: Registry[str] = Registry("widget", "`ticonf widgets` lists them")

    @registry.register("second", lambda cls: cls.__name__)
    class Second:
        pass

    @registry.register("first", lambda cls: cls.__name__)
    class First:
        pass

    assert First.__name__ == "First", "the decorator returns the class itself"
    return registry


def test_entries_come_in_the_order_they_were_registered() -> None:
    registry = widgets()
    assert registry.names() == ("second", "first")
    assert registry.entries() == ["Second", "First"]
    assert registry.lookup("first") == "First"
    assert "first" in registry and "third" not in registry and len(registry) == 2


def test_an_unknown_name_is_a_one_line_config_error_naming_the_listing() -> None:
    with pytest.raises(ConfigError) as caught:
        widgets().lookup("third")
    assert str(caught.value) == "unknown widget 'third'; `ticonf widgets` lists them"


def test_a_name_registered_twice_is_refused() -> None:
    registry = widgets()
    with pytest.raises(ValueError, match="widget 'first' is registered twice"):
        registry.register("first", lambda cls: cls.__name__)(type("Again", (), {}))
    assert registry.lookup("first") == "First", "the first registration stays"
