"""Event handlers, registered with ``@event_handler("order.created")`` in each app's handlers.py."""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from ecom_common.events.envelope import Event

Handler = Callable[[Event], None]
_handlers: dict[str, Handler] = {}
_types: dict[str, set[str]] = {}


def event_handler(*event_types: str):
    """Registers the decorated function for ``event_types``; its name is ``module.function``.

    The function runs inside a transaction together with the inbox row that makes it run
    once per event, so it must do all its work through the database it is given.
    """

    def register(function: Handler) -> Handler:
        name = f"{function.__module__}.{function.__qualname__}"
        _handlers[name] = function
        for event_type in event_types:
            _types.setdefault(event_type, set()).add(name)
        return function

    return register


def handler_get(name: str) -> Handler | None:
    return _handlers.get(name)


def handler_names_for(event_type: str) -> list[str]:
    return sorted(_types.get(event_type, ()))


def subscribed_event_types() -> list[str]:
    return sorted(_types)


def handlers_autodiscover() -> None:
    """Imports ``<app>.handlers`` of every installed app (called when ecom_common is ready)."""
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "handlers"):
            import_module(f"{app_config.name}.handlers")
