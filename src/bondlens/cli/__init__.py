"""The `bondlens` command. Each command lives in its own module; this one only assembles them."""

from __future__ import annotations

from bondlens.cli import (  # noqa: F401  (registers the commands)
    analyse_cmd,
    detect_cmd,
    formats_cmd,
    import_cmd,
    plan_cmd,
    report_cmd,
    selfcheck_cmd,
    serve_cmd,
    vault_cmd,
)
from bondlens.cli.app import app, main
from bondlens.cli.classify_cmd import register as register_classify

register_classify(app)

__all__ = ["app", "main"]
