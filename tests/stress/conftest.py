"""The stress tests boot VMs like tests/vm does (its helpers, through
budget.py) and are all marked `stress`; `make stress` runs them with a
time budget (budget.py says how).  tests/stress is a package so that this
conftest does not shadow tests/vm's when both run in one session."""

import os

import pytest

from . import budget

amphi_works = budget.vm.amphi_works


def pytest_configure(config):
    config.addinivalue_line("markers", "stress: concurrency torture (tests/stress, make stress)")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(os.path.abspath(__file__))
    mine = [item for item in items if str(item.fspath).startswith(here)]
    for item in mine:
        item.add_marker(pytest.mark.stress)
    budget.ntests = max(len(mine), 1)
