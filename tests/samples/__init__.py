"""Tests of priorlab.samples (a package so test module names cannot clash with other folders)."""
