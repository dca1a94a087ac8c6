"""The embedded model's server process: llama-cpp-python's OpenAI server, with the JSON grammar checked lazily.

`python -m briefing.model.llama_serve ARGS` takes the arguments of `python -m llama_cpp.server`. Before every
generated token llama-cpp-python 0.3 applies the request's grammar (JSON mode, or a JSON schema) to all
~152,000 vocabulary entries, then picks the best. Measured on the seeds with the embedded model, that took
longer than the decode itself (about 67 of 232 s). llama.cpp's own server (`common/sampling.cpp`) picks first
and asks the grammar about that one token, applying it to the whole vocabulary only when the token is
rejected. `LazyGrammarSampler` does the same for greedy decoding (temperature 0, what `briefing` sends): the
best token of the penalised logits is kept when the grammar accepts it, and then it is exactly the token the
full pass would have picked (the best of all tokens is the best of the allowed ones); otherwise the full
pass runs. So the answers are the same token for token, only sooner. Any other sampling setting (a
temperature, mirostat, logits processors, no grammar) takes llama-cpp-python's own path unchanged.

Imported only in that child process (and by its tests); `llama_cpp` and numpy come with the `local` extra.
"""

from __future__ import annotations

import ctypes
import math
import runpy
from typing import Any

import numpy as np
from llama_cpp import Llama
from llama_cpp import _internals as internals
from llama_cpp import llama_cpp as C

__all__ = ["LazyGrammarSampler", "install", "main"]


class LazyGrammarSampler:
    """Greedy sampling with repetition penalties and a grammar, the grammar asked about one token first.

    Has the two methods `Llama.sample` uses on its sampler: `sample(ctx, idx)` and `close()`.
    """

    def __init__(
        self,
        llama: Llama,
        grammar: Any,
        *,
        penalty_last_n: int,
        penalty_repeat: float,
        penalty_freq: float,
        penalty_present: float,
    ) -> None:
        self._n_vocab = llama.n_vocab()
        self._chain = internals.LlamaSampler()  # penalties, then the best token: llama-cpp-python's order
        self._chain.add_penalties(self._n_vocab, penalty_last_n, penalty_repeat, penalty_freq, penalty_present)
        self._chain.add_greedy()
        self._grammar = internals.LlamaSampler()
        self._grammar.add_grammar(llama._model, grammar)
        self._data = (C.llama_token_data * self._n_vocab)()
        self._view = np.ctypeslib.as_array(self._data)  # a structured view: id, logit, p
        self._ids = np.arange(self._n_vocab, dtype=np.int32)
        self._one = C.llama_token_data(0, 0.0, 0.0)
        self.full_passes = 0  # tokens the grammar rejected first (the full pass ran): for tests and curiosity
        self.tokens = 0

    def _candidates(self, logits: np.ndarray) -> C.llama_token_data_array:
        self._view["id"] = self._ids
        self._view["logit"] = logits
        self._view["p"] = 0.0
        return C.llama_token_data_array(
            data=ctypes.cast(self._data, C.llama_token_data_p), size=self._n_vocab, selected=-1, sorted=False
        )

    def _allowed(self, token: int) -> bool:
        self._one.id, self._one.logit, self._one.p = token, 1.0, 0.0
        single = C.llama_token_data_array(data=ctypes.pointer(self._one), size=1, selected=-1, sorted=False)
        C.llama_sampler_apply(self._grammar.sampler, ctypes.byref(single))
        return not math.isinf(single.data[0].logit)

    def sample(self, ctx: internals.LlamaContext, idx: int = -1) -> int:
        logits = np.ctypeslib.as_array(C.llama_get_logits_ith(ctx.ctx, idx), shape=(self._n_vocab,))
        candidates = self._candidates(logits)
        C.llama_sampler_apply(self._chain.sampler, ctypes.byref(candidates))
        token = int(candidates.data[candidates.selected].id)
        if not self._allowed(token):
            self.full_passes += 1
            candidates = self._candidates(logits)
            C.llama_sampler_apply(self._grammar.sampler, ctypes.byref(candidates))
            C.llama_sampler_apply(self._chain.sampler, ctypes.byref(candidates))
            token = int(candidates.data[candidates.selected].id)
        C.llama_sampler_accept(self._grammar.sampler, token)
        C.llama_sampler_accept(self._chain.sampler, token)
        self.tokens += 1
        return token

    def close(self) -> None:
        self._chain.close()
        self._grammar.close()


def install() -> None:
    """Route greedy, grammar-constrained sampling of every `Llama` in this process through `LazyGrammarSampler`."""
    original = Llama._init_sampler
    if getattr(original, "_briefing_lazy", False):
        return

    def _init_sampler(self: Llama, *args: Any, **kwargs: Any) -> Any:
        grammar = kwargs.get("grammar")
        plain = (
            not args
            and grammar is not None
            and kwargs.get("temp") == 0.0
            and kwargs.get("logits_processor") is None
            and kwargs.get("mirostat_mode", 0) == 0
        )
        if not plain:
            return original(self, *args, **kwargs)
        return LazyGrammarSampler(
            self,
            grammar,
            penalty_last_n=self.last_n_tokens_size,
            penalty_repeat=kwargs.get("repeat_penalty", 1.0),
            penalty_freq=kwargs.get("frequency_penalty", 0.0),
            penalty_present=kwargs.get("presence_penalty", 0.0),
        )

    _init_sampler._briefing_lazy = True  # type: ignore[attr-defined]
    Llama._init_sampler = _init_sampler  # type: ignore[method-assign]


def main() -> None:
    install()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
