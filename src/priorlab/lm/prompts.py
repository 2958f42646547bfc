"""The built-in prompts for language-model digit distributions, and reading prompts from a file.

"benford" prompts end where a quantity spanning orders of magnitude comes next (populations, areas, lengths,
prices, ...), so Benford's law is expected; "contrast" prompts end where the number lives in a narrow range
(years, percentages, page numbers, ages), so it is not. The prompt of Perone (2019) comes first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KINDS = ("benford", "contrast", "custom")


@dataclass(frozen=True)
class Prompt:
    """A prompt text, whether Benford's law is expected after it (`kind`), and what quantity follows."""

    text: str
    kind: str
    topic: str


def _prompts(kind: str, topic: str, *texts: str) -> tuple[Prompt, ...]:
    return tuple(Prompt(text, kind, topic) for text in texts)


BUILTIN_PROMPTS: tuple[Prompt, ...] = (
    *_prompts("benford", "population", "with a population size of"),
    *_prompts(
        "benford",
        "population",
        "The town has a population of",
        "The country's population is estimated at",
        "At the last census, the district had a population of",
        "The village had a population of",
        "The species' population in the wild is estimated at",
    ),
    *_prompts(
        "benford",
        "area",
        "The lake covers an area of",
        "The island has a total area of",
        "The national park spans an area of",
        "The county covers a land area of",
        "The river basin drains an area of",
        "The forest fire burned an area of",
        "The glacier has a surface area of",
    ),
    *_prompts(
        "benford",
        "length",
        "The river has a length of",
        "The longest river in the region flows for a distance of",
        "The bridge has a total length of",
        "The railway line runs for a length of",
        "The coastline of the country measures",
    ),
    *_prompts(
        "benford",
        "distance",
        "The distance between the two cities is",
        "The star lies at a distance of",
        "The quasar was observed at a distance of",
        "The asteroid has a diameter of",
        "The mountain rises to a height of",
    ),
    *_prompts(
        "benford",
        "money",
        "The house was sold for a price of $",
        "The company reported annual revenue of $",
        "The painting was sold at auction for $",
        "The government budget for the project was $",
        "The city's annual budget amounts to $",
        "The country's gross domestic product is $",
        "The lottery jackpot reached $",
        "The item is listed at a price of $",
        "The startup raised funding of $",
    ),
    *_prompts(
        "benford",
        "count",
        "The company employs a workforce of",
        "The university has a student enrollment of",
        "The library holds a collection of books numbering",
        "The stadium has a seating capacity of",
        "The video has a view count of",
        "The airport handles a yearly passenger count of",
        "The novel has sold a number of copies totalling",
        "The network has a subscriber base of",
        "The museum's yearly visitor count is",
        "The bacterial culture grew to a cell count of",
    ),
    *_prompts(
        "benford",
        "measure",
        "The reservoir holds a volume of",
        "The molecule has a molecular weight of",
        "The file has a size of",
        "The ship has a gross tonnage of",
        "The eruption ejected a volume of",
        "The mine has produced a total tonnage of",
        "The farm produces an annual harvest weighing",
    ),
    *_prompts(
        "contrast",
        "year",
        "The war ended in the year",
        "She was born in the year",
        "The building was completed in the year",
        "The treaty was signed in the year",
    ),
    *_prompts(
        "contrast",
        "percentage",
        "The unemployment rate rose to a percentage of",
        "Voter turnout in the election was a percentage of",
        "The battery was charged to a percentage of",
        "The exam pass rate was a percentage of",
    ),
    *_prompts(
        "contrast",
        "page",
        "The quote appears on page",
        "See the table on page",
        "The chapter begins on page",
    ),
    *_prompts(
        "contrast",
        "age",
        "He died at the age of",
        "The patient is a man aged",
        "She started school at the age of",
        "The children in the class are aged",
    ),
)


def load_prompts_file(path: str | os.PathLike[str]) -> list[Prompt]:
    """Prompts from a UTF-8 text file: one per line; blank lines and lines starting with '#' are skipped."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FileNotFoundError(f"prompts file {str(file)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"prompts file {str(file)!r} cannot be read: {exc}") from None
    texts = [line.strip() for line in lines]
    prompts = [Prompt(text, "custom", "") for text in texts if text and not text.startswith("#")]
    if not prompts:
        raise ValueError(f"prompts file {str(file)!r} holds no prompts (one per line; '#' starts a comment)")
    return prompts


def gather_prompts(texts: list[str] | None, path: str | os.PathLike[str] | None = None) -> list[str]:
    """The prompts a command was given: its `texts`, then those of the prompts file at `path`; the built-in
    set when neither is given."""
    gathered = list(texts or [])
    if path is not None:
        gathered += [prompt.text for prompt in load_prompts_file(path)]
    return gathered if gathered or path is not None else [prompt.text for prompt in BUILTIN_PROMPTS]
