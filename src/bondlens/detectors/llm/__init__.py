"""An optional detector that asks a local LLM (any OpenAI-compatible server: Ollama, llama.cpp, vLLM).

Nothing here is imported by the default path; only ``--detector llm`` loads it. It talks only to loopback
addresses unless ``allow_remote`` is set. See docs/readme/llm.md."""

from __future__ import annotations

from bondlens.detectors.llm.config import LLMConfig, LLMError, check_url, load_config
from bondlens.detectors.llm.detector import LLMDetector, LLMStats
from bondlens.detectors.llm.prompt import PROMPT_VERSION

__all__ = ["PROMPT_VERSION", "LLMConfig", "LLMDetector", "LLMError", "LLMStats", "check_url", "load_config"]
