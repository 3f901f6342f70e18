"""The private self-check of the signs (see ``model`` for the saved result)."""

from bondlens.selfcheck.model import SelfCheckAnswer, SelfCheckResult, SignScore, load_result

__all__ = ["SelfCheckAnswer", "SelfCheckResult", "SignScore", "load_result"]
