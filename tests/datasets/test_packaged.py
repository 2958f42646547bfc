"""The data shipped inside the package: the World Bank population table is the copy its notice documents.
(The Concrete folder is checked against the shared copy in tests/test_demo_real_data.py.)"""

from __future__ import annotations

from importlib import resources

from priorlab.datasets.packaged import POPULATION_CSV, world_bank_population


def test_shipped_data_is_the_documented_copy():
    frame = world_bank_population()
    assert list(frame.columns) == ["Country Name", "Country Code", "Year", "Value"]
    assert frame["Year"].between(1960, 2024).all()
    notice = (resources.files("priorlab") / "data" / "README.md").read_text(encoding="utf-8")
    assert POPULATION_CSV in notice and "SP.POP.TOTL" in notice and "PDDL" in notice
