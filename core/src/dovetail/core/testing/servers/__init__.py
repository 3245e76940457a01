"""Loopback servers speaking providers' wire protocols, shared by every package's tests and the benchmarks.

Each module holds one provider's stand-in on :class:`dovetail.core.testing.loopback.LoopbackHTTPServer`: real
HTTP that the provider's official SDK talks to, a deterministic "model" (:mod:`dovetail.core.testing.fakes`),
recorded requests and queued faults. Run as a script (``python -m dovetail.core.testing.servers.openai_loopback
--latency 0.02``) a server prints its port and serves until stdin closes.

- :mod:`~dovetail.core.testing.servers.openai_loopback`: ``LoopbackOpenAI`` (chat, completions, embeddings);
- :mod:`~dovetail.core.testing.servers.gemini_loopback`: ``LoopbackGemini`` (generate, stream, embed);
- :mod:`~dovetail.core.testing.servers.ollama_loopback`: ``LoopbackOllama`` (chat, generate, embed).
"""
