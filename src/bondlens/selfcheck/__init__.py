"""The private self-check of the signs (see ``model`` for the saved result)."""

from bondlens.selfcheck.answers import read_answers
from bondlens.selfcheck.items import Questionnaire, questionnaire
from bondlens.selfcheck.model import SelfCheckAnswer, SelfCheckResult, SignScore, load_result
from bondlens.selfcheck.scoring import alerts, score

__all__ = [
    "Questionnaire",
    "SelfCheckAnswer",
    "SelfCheckResult",
    "SignScore",
    "alerts",
    "load_result",
    "questionnaire",
    "read_answers",
    "score",
]
