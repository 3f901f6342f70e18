"""Rules as data: YAML rule files per language, an engine, and modifiers that explain themselves."""

from bondlens.detectors.rules.engine import RulesDetector
from bondlens.detectors.rules.loader import Rule, RuleFileError, RuleSet, load_rules

__all__ = ["Rule", "RuleFileError", "RuleSet", "RulesDetector", "load_rules"]
