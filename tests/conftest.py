"""Shared fixtures. Expensive resources are built once per session and skipped with a reason when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def taxonomy():
    from coder.taxonomy import CameoTaxonomy

    return CameoTaxonomy.load()


@pytest.fixture(scope="session")
def codebook():
    from coder.codebook import ActorCodebook

    return ActorCodebook.load()


@pytest.fixture(scope="session")
def nlp():
    from coder.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def recognizer(codebook, nlp):
    from coder.actors import ActorRecognizer

    return ActorRecognizer.build(codebook, nlp)


@pytest.fixture(scope="session")
def pipeline():
    """The shipped default model with every default stage."""
    from coder.pipeline import build_pipeline
    from coder.resources import default_model_dir

    if not (default_model_dir() / "model.safetensors").exists():
        pytest.skip("no shipped model in coder/models/default")
    return build_pipeline()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip: users do not have that folder."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (evaluation data lives outside the project)")
    return p
