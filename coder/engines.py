"""Where documents are coded: in this process (:class:`LocalEngine`) or on Dask workers (:class:`DaskEngine`).

Both take partitions (lists of documents, in input order) and yield, per partition and in the same order, the
list of :class:`coder.pipeline.DocumentResult`. A partition is always coded by one ``Pipeline.code`` call from
its first document, so the classifier sees the same batches whichever engine codes it and wherever a resumed
run starts (the store commits whole partitions): that is what makes Dask output and resumed output
byte-identical to an uninterrupted local run.

A Dask worker builds its pipeline once, lazily, the first time it codes a partition with given settings
(:func:`code_partition`); the model folder must be readable by the worker (a shared filesystem, or the shipped
model of the installed package). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from coder.errors import ConfigError
from coder.records import Document
from coder.resources import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodingSettings:
    """Everything that decides how a document is coded; enough for a worker to build the same pipeline."""

    model_dir: str | None = None
    actors: str | None = None
    device: str = "cpu"
    threshold: float = DEFAULT_THRESHOLD
    keep_negated: bool = False
    drop_hypothetical: bool = False
    runtime: str = "onnx"
    blank_targets: bool | None = None  # None: as the model was trained

    def build(self, onnx_threads: int = 0):
        """Load the pipeline these settings describe (spaCy, dictionaries, model); ``onnx_threads`` caps the
        classifier's threads (0: every core), which changes speed, never results."""
        from coder.pipeline import build_pipeline

        return build_pipeline(
            Path(self.model_dir) if self.model_dir else None,
            Path(self.actors) if self.actors else None,
            self.device,
            self.threshold,
            self.keep_negated,
            self.drop_hypothetical,
            self.runtime,
            blank_targets=self.blank_targets,
            onnx_threads=onnx_threads,
        )

    def identity(self) -> dict:
        """What the store compares between runs: file contents by hash (not paths), and every coding option.

        The device is left out: where the classifier runs does not change what it decides.
        """
        from coder.model import WEIGHTS_FILE
        from coder.resources import default_model_dir

        model_dir = Path(self.model_dir) if self.model_dir else default_model_dir()
        d = asdict(self)
        del d["device"]
        d["model_dir"] = _file_hash(model_dir / WEIGHTS_FILE)
        d["actors"] = _file_hash(Path(self.actors)) if self.actors else ""
        return d


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return f"unreadable:{path}"


class LocalEngine:
    """Codes partitions in this process with the pipeline it is given, or one built from ``settings`` when the
    first partition arrives (so a re-run with nothing new to code never loads the model)."""

    def __init__(self, pipeline=None, settings: CodingSettings | None = None):
        if pipeline is None and settings is None:
            raise ConfigError("LocalEngine needs a pipeline or the settings to build one")
        self.pipeline = pipeline
        self.settings = settings

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def prepare(self) -> None:
        """Load the pipeline now (called once there is something to code, before the clock starts)."""
        if self.pipeline is None:
            self.pipeline = self.settings.build()

    def code_partitions(self, partitions: Iterable[list[Document]]) -> Iterator[list]:
        for part in partitions:
            self.prepare()
            yield list(self.pipeline.code(part))


# One pipeline per worker process and settings, built by the first task that needs it (never at import).
_WORKER_PIPELINES: dict[CodingSettings, object] = {}


def worker_pipeline(settings: CodingSettings):
    """This worker process's pipeline for ``settings``, built on first use."""
    pipeline = _WORKER_PIPELINES.get(settings)
    if pipeline is None:
        log.info("loading the pipeline on this worker")
        # A worker's classifier keeps to the worker's own threads, so N workers on one machine do not each spread
        # ONNX Runtime over every core.
        pipeline = _WORKER_PIPELINES[settings] = settings.build(onnx_threads=_worker_threads())
    return pipeline


def _worker_threads() -> int:
    try:
        from dask.distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return 0
    state = getattr(worker, "state", worker)
    return int(getattr(state, "nthreads", 0) or 0)


def code_partition(settings: CodingSettings, documents: list[Document]) -> list:
    """Code one partition on a Dask worker, building the worker's pipeline on first use."""
    return list(worker_pipeline(settings).code(documents))


def _load_on_worker(settings: CodingSettings) -> str:
    return worker_pipeline(settings).model_version


class DaskEngine:
    """Codes partitions on a Dask cluster: an existing scheduler (``scheduler``) or a local one (``workers``).

    At most ``window`` partitions are in flight (default: two per worker); results come back in input order.
    """

    def __init__(
        self,
        settings: CodingSettings,
        scheduler: str | None = None,
        workers: int | None = None,
        window: int | None = None,
    ):
        self.settings = settings
        self.scheduler = scheduler
        self.workers = workers
        self.window = window
        self._client = None
        self._cluster = None

    def __enter__(self) -> DaskEngine:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as e:
            raise ConfigError(f"--engine dask needs dask[distributed] installed ({e})") from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="30s")
            except OSError as e:
                raise ConfigError(f"--scheduler {self.scheduler}: cannot connect ({e})") from None
        else:
            n = self.workers or 2
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        if self.window is None:
            n_workers = len(self._client.scheduler_info().get("workers", {})) or 1
            self.window = 2 * n_workers
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def prepare(self) -> None:
        """Load the pipeline on every connected worker now (a worker that joins later loads on first use)."""
        if self._client is None:
            raise ConfigError("DaskEngine used outside 'with'")
        self._client.run(_load_on_worker, self.settings)

    def code_partitions(self, partitions: Iterable[list[Document]]) -> Iterator[list]:
        if self._client is None:
            raise ConfigError("DaskEngine used outside 'with'")
        pending: deque = deque()
        for part in partitions:
            pending.append(self._client.submit(code_partition, self.settings, part, pure=False))
            if len(pending) >= self.window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
