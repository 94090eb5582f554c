"""Input errors in the planner's words: which file, which key, what was expected, what was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file.

    ``path`` is the key path inside the file (``lanes.vip.counters``); ``expected`` says what
    the rule wants and ``found`` shows the offending value as the user wrote it.
    """

    file: str
    path: str
    expected: str
    found: str

    def __str__(self) -> str:
        if self.path == "…":  # the tail of a capped list: "file: … and 123,456 more problems"
            return f"{self.file}: … and {self.found}"
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: expected {self.expected}; found {self.found}"


def more_problems(file: str, n: int) -> Problem:
    """The last line of a capped problem list."""
    return Problem(file, "…", "", f"{n:,} more problem(s)")


class ScenarioError(ValueError):
    """Raised with *all* problems found in a scenario (or other planner-supplied) file."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
