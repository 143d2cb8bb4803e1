"""The export formats, one module each, behind one registry.

Adding a format is one module with an ``Exporter`` subclass decorated with ``@register``,
and its import below.
"""

from exports.formats.base import Exporter

_REGISTRY: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    if cls.name in _REGISTRY:
        raise ValueError(f"export format {cls.name!r} is registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def get(name: str) -> type[Exporter]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown export format {name!r}: use one of {', '.join(_REGISTRY)}"
        ) from None


def names() -> list[str]:
    return list(_REGISTRY)


def choices() -> list[tuple[str, str]]:
    """For model and form fields (a callable, so a new format needs no migration)."""
    return [(cls.name, cls.label) for cls in _REGISTRY.values()]


from exports.formats import alto, csv, hocr, json, page, pdf, txt  # noqa: E402, F401
