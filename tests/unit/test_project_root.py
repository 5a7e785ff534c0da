"""The tools that work on the checkout (`make lint`, the diagrams) find it from the
installed package, whatever folder they are started in."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs import project_root
from papertrade_docs.diagrams.compose import ROOT as DIAGRAMS_ROOT
from papertrade_docs.lint.cli import ROOT as LINT_ROOT

CHECKOUT = Path(__file__).resolve().parents[2]


def test_the_root_is_the_checkout_that_holds_the_package(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not found from the current folder
    assert project_root() == CHECKOUT
    assert LINT_ROOT == DIAGRAMS_ROOT == CHECKOUT
