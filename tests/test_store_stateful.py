"""A stateful property test: random sequences of saves, stale saves, deletes, plan approvals and
restarts against a plain dict model; the store, its versions and its audit trail always agree."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from resources.errors import InputError
from resources.store import ConflictError, Store
from tests.crash_writer import shared_scenario
from tests.test_io_plan_json import sample_plan

NAMES = st.sampled_from(["alpha", "bravo", "charlie"])


class StoreMachine(RuleBasedStateMachine):
    """The store against {name: (description, version)} and {plan id: (status, version)}."""

    plans = Bundle("plans")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="store-sm-"))
        self.store = Store.open(self.dir / "h.db")
        self.scenarios: dict[str, tuple[str, int]] = {}
        self.plan_model: dict[str, tuple[str, int]] = {}
        self.changes = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(name=NAMES, text=st.text("abc xyz", max_size=12), stale=st.booleans())
    def save_scenario(self, name: str, text: str, stale: bool) -> None:
        _, version = self.scenarios.get(name, ("", 0))
        expected = version + 1 if stale else version
        s = shared_scenario(text, name=name)
        try:
            got = self.store.save_scenario(s, expected_version=expected, rationale=text or None)
        except ConflictError:
            assert stale
            return
        assert not stale and got == version + 1
        self.scenarios[name] = (text, got)
        self.changes += 1

    @rule(name=NAMES, text=st.text("abc", max_size=5))
    def save_unchecked(self, name: str, text: str) -> None:
        _, version = self.scenarios.get(name, ("", 0))
        got = self.store.save_scenario(shared_scenario(text, name=name))
        assert got == version + 1
        self.scenarios[name] = (text, got)
        self.changes += 1

    @rule(name=NAMES, stale=st.booleans())
    def delete_scenario(self, name: str, stale: bool) -> None:
        _, version = self.scenarios.get(name, ("", 0))
        try:
            self.store.delete_scenario(name, expected_version=version + 1 if stale else version)
        except ConflictError:
            assert stale and name in self.scenarios
            return
        except InputError:
            assert name not in self.scenarios
            return
        assert not stale
        del self.scenarios[name]
        self.changes += 1

    @rule(target=plans, day=st.integers(0, 6))
    def save_plan(self, day: int) -> str:
        pid = self.store.save_plan(dataclasses.replace(sample_plan(plan_id=None), day=day))
        assert pid not in self.plan_model
        self.plan_model[pid] = ("draft", 1)
        self.changes += 1
        return pid

    @rule(pid=plans, stale=st.booleans())
    def toggle_plan(self, pid: str, stale: bool) -> None:
        if pid not in self.plan_model:
            return
        status, version = self.plan_model[pid]
        new_status = "draft" if status == "approved" else "approved"
        try:
            got = self.store.set_plan_status(pid, new_status, version - 1 if stale else version,
                                             "because")
        except ConflictError:
            assert stale
            return
        assert not stale and got == version + 1
        self.plan_model[pid] = (new_status, got)
        self.changes += 1

    @rule(pid=plans)
    def delete_plan(self, pid: str) -> None:
        try:
            self.store.delete_plan(pid)
        except InputError:
            assert pid not in self.plan_model or self.plan_model[pid][0] == "approved"
            return
        assert self.plan_model.pop(pid)[0] == "draft"
        self.changes += 1

    @rule()
    def restart(self) -> None:
        self.store.close()
        self.store = Store.open(self.dir / "h.db")

    @invariant()
    def store_matches_model(self) -> None:
        stored = {i.name: i.version for i in self.store.list_scenarios() if i.stored}
        assert stored == {k: v for k, (_, v) in self.scenarios.items()}
        for name, (text, _) in self.scenarios.items():
            assert self.store.load_scenario(name).description == text
        listed = {p.plan_id: (p.status, p.version) for p in self.store.list_plans(limit=10_000)}
        assert listed == self.plan_model

    @invariant()
    def trail_records_every_change(self) -> None:
        entries = self.store.audit_entries()
        assert sum(1 for e in entries if e.outcome == "ok") == 1 + self.changes
        assert self.store.verify_audit().ok


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                     derandomize=True,
                                     suppress_health_check=[HealthCheck.too_slow])
