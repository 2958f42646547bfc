"""Published values from Nigrini (2012), "Benford's Law", typed in from the book: oracles for the tests."""

from __future__ import annotations

MAD_RANGES = {
    # table 7.1: upper MAD bounds of close, acceptable and marginally acceptable conformity
    "first": (0.006, 0.012, 0.015),
    "second": (0.008, 0.010, 0.012),
    "first-two": (0.0012, 0.0018, 0.0022),
    "first-three": (0.00036, 0.00044, 0.00050),
}


def conformity(test: str, mad: float) -> str | None:
    """Table 7.1 read as the book states it; None for a test the table does not cover."""
    if test not in MAD_RANGES:
        return None
    close, acceptable, marginal = MAD_RANGES[test]
    if mad <= close:
        return "close conformity"
    if mad <= acceptable:
        return "acceptable conformity"
    if mad <= marginal:
        return "marginally acceptable conformity"
    return "nonconformity"
