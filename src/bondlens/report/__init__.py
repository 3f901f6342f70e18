"""The report a person takes away: a self-contained HTML file (and a PDF of it) with a plain summary, charts,
the cycles and signs with their messages, where to get help, and an evidence appendix with a manifest that
`bondlens verify` checks."""

from bondlens.report.build import Report, build_report, make_report
from bondlens.report.evidence import Appendix, EvidenceEntry, appendix_sha256, canonical_bytes
from bondlens.report.verify import Verification, verify_file, verify_html

__all__ = [
    "Appendix",
    "EvidenceEntry",
    "Report",
    "Verification",
    "appendix_sha256",
    "build_report",
    "canonical_bytes",
    "make_report",
    "verify_file",
    "verify_html",
]
