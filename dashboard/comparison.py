"""A comparison: two to four `Filters` values side by side, kept in the URL.

Each side is a whole Filters value, encoded in the page address by its own `to_params` with the
side's letter in front (`a.speakers=James+Baker&b.speakers=Paul+Volcker`), plus `sides=N` so a side
without any filter ("all articles") is not lost. Nothing here knows which fields Filters has: a
field added to Filters (and to its `to_params` / `from_params`) travels in comparisons too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields

from dashboard.filters import Filters

LETTERS = "abcd"
MAX_SIDES = len(LETTERS)
COUNT = "sides"


def label(index: int) -> str:
    """The side's name on the page: A, B, C, D."""
    return LETTERS[index].upper()


def to_params(sides: Sequence[Filters]) -> dict[str, str | list[str]]:
    """Query-string parameters for these sides (at most MAX_SIDES), so a copied link reopens them."""
    sides = list(sides)[:MAX_SIDES]
    params: dict[str, str | list[str]] = {COUNT: str(len(sides))} if sides else {}
    for letter, f in zip(LETTERS, sides):
        for name, value in f.to_params().items():
            params[f"{letter}.{name}"] = value
    return params


def from_params(params: Mapping[str, str | list[str]]) -> tuple[Filters, ...]:
    """The sides a URL names: `sides=N` of them, and at least up to the last letter with a parameter."""
    count = params.get(COUNT) or ""
    count = count[-1] if isinstance(count, list) and count else count
    try:
        n = int(count) if isinstance(count, str) else 0
    except ValueError:
        n = 0
    for i, letter in enumerate(LETTERS):
        if any(is_param(name) and name[0] == letter for name in params):
            n = max(n, i + 1)
    n = min(max(n, 0), MAX_SIDES)
    return tuple(
        Filters.from_params({name[2:]: value for name, value in params.items() if name.startswith(f"{letter}.")})
        for letter in LETTERS[:n]
    )


def is_param(name: str) -> bool:
    """True for the parameters a comparison owns (`sides`, `a.…` to `d.…`)."""
    return name == COUNT or (len(name) > 2 and name[0] in LETTERS and name[1] == ".")


def splittable(f: Filters) -> list[str]:
    """The multi-choice fields of `f` holding 2 to MAX_SIDES values: each can become one side per value."""
    return [
        field.name
        for field in fields(f)
        if isinstance(getattr(f, field.name), tuple) and 2 <= len(getattr(f, field.name)) <= MAX_SIDES
    ]


def split(f: Filters, field: str) -> tuple[Filters, ...]:
    """One side per value of `field` in `f`, every other filter kept (speaker A vs B in the same months)."""
    return tuple(f.with_(**{field: (value,)}) for value in getattr(f, field)[:MAX_SIDES])


def short(f: Filters, width: int = 70) -> str:
    """The side's filter sentence without its opening words, cut to `width` characters (legends)."""
    text = f.describe().removeprefix("Articles where ")
    return text if len(text) <= width else text[: width - 1] + "\u2026"
