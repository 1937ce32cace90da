"""Worker processes for the crash-safety and two-process tests (and benchmarks/store_soak.py).

`python -m tests.crash_writer serve DB`: a zygote that imports everything once, then for every
`run SEED` line on its input forks a writer that saves plans (approving some, editing the
scenario now and then) in a loop, printing an `ack ...` line after each commit. The caller kills
the writer with SIGKILL at a moment of its choosing; the zygote reports `exit PID STATUS`.

`python -m tests.crash_writer edit DB COUNT PLAN_ID [GO_FILE]`: make COUNT successful
read-modify-write edits of the scenario 'shared' (a counter in its description) and COUNT status
toggles of a plan, each with the version it read; every refused stale edit is counted and
retried.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from resources.model import Scenario
from resources.store import ConflictError, Store, check
from tests.factories import site, tiny_scenario, unit
from tests.test_io_plan_json import sample_plan


def shared_scenario(description: str = "n=0", name: str = "shared") -> Scenario:
    """The small scenario both kinds of worker edit."""
    s = tiny_scenario(units=(unit("ARV1", "ARV"), unit("NHT1", "NHT")), sites=(site("S1"),))
    return s.with_changes(name=name, description=description)


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def writer(db: Path, seed: int) -> None:
    """Save plans forever (approving every third, editing the scenario every fifth)."""
    rng = random.Random(seed)
    with Store.open(db) as store:
        for i in range(100_000):
            pad = "x" * rng.randrange(0, 6000)  # some plans span several pages
            plan = dataclasses.replace(sample_plan(plan_id=None), day=rng.randrange(7),
                                       extra={"writer": seed, "i": i, "pad": pad})
            pid = store.save_plan(plan)
            _say(f"ack plan {pid} {plan.content_hash()}")
            if i % 3 == 2:
                version = store.approve_plan(pid, 1, f"writer {seed} step {i}")
                _say(f"ack approve {pid} {version}")
            if i % 5 == 4:
                current = store.scenario_version("shared")
                version = store.save_scenario(shared_scenario(f"w{seed}-{i}"), current)
                _say(f"ack scenario shared {version}")


def serve(db: Path) -> None:
    """Fork one writer per `run SEED` line; report how each ended."""
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "run":
            continue
        sys.stdout.flush()
        child = os.fork()
        if child == 0:
            try:
                writer(db, int(parts[1]))
            finally:
                os._exit(0)
        _say(f"child {child}")
        _, status = os.waitpid(child, 0)
        _say(f"exit {child} {status}")


def editor(db: Path, count: int, plan_id: str, go: Path | None = None) -> None:
    """COUNT scenario edits and COUNT plan toggles, retried on conflict; prints a tally.

    With ``go``, waits for that file to exist first (so that two editors start together).
    """
    done_s = done_p = conflicts = 0
    with Store.open(db) as store:
        _say("ready")
        while go is not None and not go.exists():
            time.sleep(0.002)
        while done_s < count or done_p < count:
            if done_s < count:
                scenario, version = store.load_versioned("shared")
                n = int(scenario.description.split("=")[1])
                try:
                    new = store.save_scenario(scenario.with_changes(description=f"n={n + 1}"),
                                              expected_version=version)
                    _say(f"ok scenario {new}")
                    done_s += 1
                except ConflictError:
                    conflicts += 1
            if done_p < count:
                info = store.plan_info(plan_id)
                status = "draft" if info.status == "approved" else "approved"
                try:
                    new = store.set_plan_status(plan_id, status, info.version, "toggle")
                    _say(f"ok plan {new}")
                    done_p += 1
                except ConflictError:
                    conflicts += 1
    _say(f"done {done_s} {done_p} {conflicts}")


ROOT = Path(__file__).resolve().parents[1]


class Zygote:
    """The `serve` process seen from the test: start writers, read their lines, kill them."""

    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", "serve", str(db)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self._out = self.proc.stdout
        self._in = self.proc.stdin
        self._buf = b""
        self.child: int | None = None

    def line(self, timeout: float = 60.0) -> str:
        """The next output line (AssertionError if none arrives in time)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._out], [], [], max(0.0, left))
            assert ready, "no output from the crash writer in time"
            chunk = os.read(self._out.fileno(), 65536)
            assert chunk, "the crash writer's zygote ended"
            self._buf += chunk
        text, _, self._buf = self._buf.partition(b"\n")
        return text.decode()

    def start(self, seed: int) -> int:
        """Fork a writer; its pid."""
        self._in.write(f"run {seed}\n".encode())
        kind, pid = self.line().split()
        assert kind == "child"
        self.child = int(pid)
        return self.child

    def kill(self) -> None:
        """SIGKILL the running writer."""
        if self.child is not None:
            os.kill(self.child, signal.SIGKILL)

    def close(self) -> None:
        """End the zygote (killing a writer left running by a failed test)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.kill()
            self._in.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Tally:
    """What a kill-9 run saw."""

    kills: int = 0
    acknowledged: int = 0
    corrupt: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)
    approved: dict[str, int] = field(default_factory=dict)
    scenario_version: int = 0


def _record(tally: Tally, line: str) -> None:
    parts = line.split()
    if parts[:2] == ["ack", "plan"]:
        tally.plans[parts[2]] = parts[3]
    elif parts[:2] == ["ack", "approve"]:
        tally.approved[parts[2]] = int(parts[3])
    elif parts[:2] == ["ack", "scenario"]:
        tally.scenario_version = max(tally.scenario_version, int(parts[3]))
    else:
        return
    tally.acknowledged += 1


def _verify(db: Path, tally: Tally, plan_ids: list[str]) -> None:
    """Integrity, audit chain, and the acknowledged saves in ``plan_ids`` present and whole."""
    result = check(db)
    if not result.ok:
        never_created = tally.acknowledged == 0 and result.schema_version == 0
        if not never_created:
            tally.corrupt += 1
            tally.problems.append(f"after kill {tally.kills}: {result.problems[0]}")
        return
    with Store.open(db) as store:
        for pid in plan_ids:
            try:
                plan = store.load_plan(pid)
                info = store.plan_info(pid)
            except Exception as err:
                tally.lost += 1
                tally.problems.append(f"plan {pid} acknowledged but unreadable: {err}")
                continue
            if plan.content_hash() != tally.plans[pid] or info.version < tally.approved.get(
                    pid, 1):
                tally.lost += 1
                tally.problems.append(f"plan {pid} acknowledged but not as saved")
        if store.scenario_version("shared") < tally.scenario_version:
            tally.lost += 1
            tally.problems.append("an acknowledged scenario version is missing")


def kill_rounds(db: Path, rounds: int, seed: int, *, max_acks: int = 6,
                progress: bool = False) -> Tally:
    """Start a writer, kill -9 it at a random moment, check the database; ``rounds`` times."""
    rng = random.Random(seed)
    tally = Tally()
    zygote = Zygote(db)
    try:
        for r in range(rounds):
            before = set(tally.plans)
            zygote.start(seed * 100_000 + r)
            wanted = tally.acknowledged + rng.randrange(0, max_acks + 1)
            while tally.acknowledged < wanted:
                _record(tally, zygote.line())
            time.sleep(rng.random() * 0.02)
            zygote.kill()
            tally.kills += 1
            while not (line := zygote.line()).startswith("exit"):
                _record(tally, line)
            zygote.child = None  # reaped: its pid may be reused
            _verify(db, tally, sorted(set(tally.plans) - before))
            if progress and (r + 1) % 50 == 0:
                print(f"  {r + 1} kills, {tally.acknowledged} acknowledged, {tally.corrupt} "
                      f"corrupt, {tally.lost} lost", file=sys.stderr, flush=True)
        _verify(db, tally, sorted(tally.plans))
    finally:
        zygote.close()
    return tally


def two_editors(db: Path, count: int) -> dict[str, object]:
    """Run two `edit` processes against one database; their versions, conflicts and the truth."""
    with Store.open(db) as store:
        store.save_scenario(shared_scenario(), expected_version=0)
        plan_id = store.save_plan(sample_plan(plan_id=None))
    go = db.with_name(db.name + ".go")
    procs = [subprocess.Popen([sys.executable, "-m", "tests.crash_writer", "edit", str(db),
                               str(count), plan_id, str(go)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    start = time.monotonic()
    go.touch()
    outs = [p.communicate(timeout=600)[0] for p in procs]
    wall = time.monotonic() - start
    versions: dict[str, list[list[int]]] = {"scenario": [], "plan": []}
    conflicts = 0
    for out in outs:
        mine: dict[str, list[int]] = {"scenario": [], "plan": []}
        for line in out.splitlines():
            parts = line.split()
            if parts[0] == "ok":
                mine[parts[1]].append(int(parts[2]))
            elif parts[0] == "done":
                conflicts += int(parts[3])
        for k, v in mine.items():
            versions[k].append(v)
    with Store.open(db) as store:
        description = store.load_scenario("shared").description
        info = store.plan_info(plan_id)
        recorded = sum(1 for e in store.audit_entries() if e.outcome == "conflict")
        intact = store.verify_audit().ok
    return {"versions": versions, "conflicts": conflicts, "recorded_conflicts": recorded,
            "description": description, "plan_version": info.version, "audit_ok": intact,
            "wall_s": wall, "codes": [p.returncode for p in procs]}


def main(argv: list[str]) -> None:
    """Dispatch on the first argument (serve or edit)."""
    if argv[0] == "serve":
        serve(Path(argv[1]))
    elif argv[0] == "edit":
        editor(Path(argv[1]), int(argv[2]), argv[3], Path(argv[4]) if len(argv) > 4 else None)
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
