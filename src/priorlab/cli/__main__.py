"""`python -m priorlab.cli ...` runs the `priorlab` command."""

from priorlab.cli import main

if __name__ == "__main__":
    main()
