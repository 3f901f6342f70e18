"""`python -m bondlens` runs the command-line tool."""

from bondlens.cli import main

main()
