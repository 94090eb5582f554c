"""Notes for the planner that a report can say in another language.

The engine packages (``optimize``, ``forecast``) write notes a planner reads ("round 2 is
worse than round 1 …", "fewer than 28 days of history …"), but they may not import the label
catalogue (``hallplan.i18n``: the dependencies point hallplan → {optimize, forecast} → sim).
So a note is a plain English ``str`` — every caller that prints, joins or searches it keeps
working — that also carries ``key`` and ``fields``: ``hallplan`` says it in Chinese with the
catalogue's ``note_<key>`` label filled with the same fields (``hallplan.i18n.note_text``).

Each package keeps its English templates in one dict (``NOTES``); the test suite checks that
the catalogue's English of every ``note_<key>`` is exactly that template.
"""

from __future__ import annotations

from collections.abc import Mapping


class Note(str):
    """``Note(templates, key, **fields)``: ``templates[key]`` filled with ``fields``."""

    key: str
    fields: dict

    def __new__(cls, templates: Mapping[str, str], key: str, **fields: object) -> Note:
        obj = super().__new__(cls, templates[key].format(**fields))
        obj.key = key
        obj.fields = dict(fields)
        return obj

    def __reduce__(self):  # pickled across worker processes (region runs)
        return (_rebuild, (str(self), self.key, self.fields))


def _rebuild(text: str, key: str, fields: dict) -> Note:
    obj = str.__new__(Note, text)
    obj.key = key
    obj.fields = fields
    return obj


__all__ = ["Note"]
