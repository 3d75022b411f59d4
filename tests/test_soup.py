"""The model soup of the trainer: members start from the same weights and their average is what is kept."""

from dataclasses import replace
from pathlib import Path

import torch

from coder import trainer
from coder.config import load_config

DEFAULT = Path(__file__).resolve().parent.parent / "training" / "configs" / "default.toml"


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = torch.nn.Linear(2, 2)
        self.head.weight.data.fill_(1.0)

    def trained_state(self) -> dict:
        return {k: v.detach() for k, v in self.state_dict().items()}


def test_members_start_from_one_state_and_are_averaged(monkeypatch):
    starts = []

    def fake_fit(net, cache, ds, config, seed):
        starts.append(float(net.head.weight.data[0, 0]))
        net.head.weight.data.fill_(float(seed))  # each member ends somewhere of its own
        return [{"epoch": 1, "loss": 0.0, "seconds": 0.0}]

    monkeypatch.setattr(trainer, "_fit", fake_fit)
    cfg = load_config(DEFAULT)
    cfg = replace(cfg, train=replace(cfg.train, seed=13, soup_size=3))
    net = _Net()
    history = trainer._fit_soup(net, [], None, cfg)
    assert starts == [1.0, 1.0, 1.0]  # every member from the same start, not from the previous member
    assert torch.allclose(net.head.weight, torch.full((2, 2), 14.0))  # mean of seeds 13, 14, 15
    assert [h["member"] for h in history] == [1, 2, 3]


def test_a_soup_of_one_is_the_single_run(monkeypatch):
    seeds = []
    monkeypatch.setattr(trainer, "_fit", lambda net, cache, ds, config, seed: seeds.append(seed) or [])
    cfg = load_config(DEFAULT)
    trainer._fit_soup(_Net(), [], None, replace(cfg, train=replace(cfg.train, soup_size=1)))
    assert seeds == [cfg.train.seed]
