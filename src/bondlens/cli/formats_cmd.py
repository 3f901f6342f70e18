"""`bondlens formats`: what bondlens can read, with an example of each."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bondlens.cli.app import app, friendly_errors
from bondlens.importers import importers


@app.command("formats")
@friendly_errors
def formats_command() -> None:
    """List the chat-export formats bondlens reads, with one example each."""
    table = Table(title="Formats bondlens reads (use the name with --format, or let it detect)", show_lines=True)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("what")
    table.add_column("example", overflow="fold")
    for importer in importers().values():
        table.add_row(importer.name, importer.title, importer.example)
    Console().print(table)
