"""The digits a causal language model expects after a prompt, exactly, with Benford's-law statistics.

`digit_distribution(load_lm("default"), prompts)` gives, per prompt, P(digit | prompt, a number follows) and
P(a number follows). One idea per module: `grammar` (what "a number follows" means, over a vocabulary),
`expansion` (batched expansion through the KV cache), `api` (the entry point and its result), `loading`
(models from the embedded default, Hugging Face ids, folders or GGUF files), `prompts` (the built-in set),
`cluster` (a model named by its spec, run here or with the prompts sharded over Dask workers). Names load on
first use, so `priorlab.lm.prompts` and `priorlab.lm.grammar` import without torch.
"""

from __future__ import annotations

from priorlab.lazy import lazy_exports

_LAZY = {
    "BUILTIN_PROMPTS": "priorlab.lm.prompts",
    "DigitDistribution": "priorlab.lm.api",
    "LanguageModel": "priorlab.lm.loading",
    "LowNumberMassWarning": "priorlab.lm.api",
    "METHODS": "priorlab.lm.api",
    "POSITIONS": "priorlab.lm.grammar",
    "Prompt": "priorlab.lm.prompts",
    "check_spec": "priorlab.lm.loading",
    "digit_distribution": "priorlab.lm.api",
    "digit_distribution_of": "priorlab.lm.cluster",
    "digit_distribution_on_cluster": "priorlab.lm.cluster",
    "gather_prompts": "priorlab.lm.prompts",
    "load_lm": "priorlab.lm.loading",
    "load_prompts_file": "priorlab.lm.prompts",
}

__all__ = sorted(_LAZY)
__getattr__ = lazy_exports(__name__, _LAZY)
