#!/usr/bin/env python3
"""Crash test: `kill -9` of `ledger serve` under concurrent write load loses no acknowledged write.

Three phases, each on its own fresh temporary directory, with `ledger serve` on a free loopback
port and writer threads that each hold their own HTTP connection and send a realistic mix of
MLflow mutations: workspaces (created, then used through `X-MLFLOW-WORKSPACE`), experiments
(created with tags, renamed, tagged, deleted, restored), runs (created, metrics, log-batch,
params, tags set and deleted, updated, deleted, restored) and registered models (created, tagged,
described). Each writer keeps a model of what every answered (2xx) request must have left.

1. Flush order (--flush-seconds, 3). The server runs under `strace -f` while 8 writers (one alone
   first, then all) send writes whose request ids are stored as text, so each event is found in
   the bytes written to data.mdb. For every answered write: its commit's data pages are flushed
   before the meta page that makes the commit current is written, and an `fdatasync` that began
   after that meta page returned before the answer was written to the socket. Skipped, with a
   `SKIP` line, where strace is missing or may not trace.
2. First starts (--startup-kills, 20). Servers on new directories get SIGKILL at random moments
   of their first start; each restart must complete the ledger (workspace `default`, experiment
   `0`) and pass `ledger replay --verify`.
3. Kills under load (--rounds, 5). --writers (16) write to one ledger; each round, the server gets
   SIGKILL at a random moment (seeded) while they are mid-flight; requests without an answer are
   "in flight". With the server down, `ledger replay --verify` and `ledger audit --format json` run
   on the directory (the audit must name every acknowledged request id). Every other kill, a
   `ledger audit` whose output is not read holds a snapshot and the lock file across the kill
   and the restart (so the new server shares the dead one's lock file); it must then finish with
   every write acknowledged before it started. The server restarts on the same directory, and
   through the API:
   - every acknowledged write is visible: each experiment with its name, tags and lifecycle
     stage, each run with its name, status, end time, params, tags and every metric point in its
     history, each model and workspace with its description and tags ("lost" otherwise);
   - each in-flight request is all or nothing (a log-batch wholly present or wholly absent, a
     create with all its tags or not at all), and agrees with the audit ("partial" otherwise);
   - the server holds no tag, param or metric point that no applied request wrote ("phantom");
   - no experiment or run id answered before is answered again for something else ("id reused").
   The writers then resume on the same ledger. After the kills, a last round ends with SIGTERM
   under load instead (a graceful stop must exit 0 and keep every answered write), the same
   checks run, and `ledger replay --verify` runs once more after the final graceful stop.

What a kill -9 proves, and what not: SIGKILL ends the process at an arbitrary instruction, so
phases 2 and 3 show that the server answers a write only after its LMDB commit, that a commit is
all or nothing, that a restart recovers LMDB's state (stale reader slots, a writer lock held by
the dead process) and finishes an interrupted creation, and that the views stay equal to the log.
They cannot show durability against a power cut: the kernel's page cache survives a killed
process, so a write that reached `write(2)` survives it whether or not it was flushed. Phase 1
covers the flush from the other side, by the order of the system calls: each answer waits for an
`fdatasync` of its commit. Neither simulates a power cut or a kernel crash, nor a disk that
acknowledges a flush it has not done.

It installs nothing and builds nothing (`swift build --product ledger` first). Python 3 stdlib;
phase 1 runs `strace`.

Usage:
    python3 tools/crash-test.py [--ledger PATH] [--rounds N] [--seconds S] [--writers N] [--seed N]
                                [--flush-seconds S] [--startup-kills N] [--keep] [--verbose]

--seconds is the longest stretch of load before a kill (each kill comes at a random moment in the
second half of it). CI runs `--rounds 5 --seconds 3` (under a minute); the defaults (5 rounds of
up to 10 s) write more.

Output: a line per phase and per round (writes acknowledged, in flight at the kill, what the
restart found, verify results), problems as `FAIL ...` lines, then a summary and `PASS` or `FAIL`
alone on the last line. Exit code 0 when nothing acknowledged was lost and every check passed; 1
on a lost, partial, phantom or refused write, a reused id, an answer ahead of its flush, a failed
verify or audit, a server that does not come back after a kill; 2 when it could not run at all
(no binary, a server that never became healthy on a first start that was not killed).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
from ledger_workload import (DEFAULT_LEDGER, HTTP_TIMEOUT_S, REPO_ROOT, Client, IdRegistry, LedgerServer, Problem,  # noqa: E402
                             SetupError, Signals, Writer, audit_request_ids, check_binary, run_ledger, run_parallel)


# --------------------------------------------------------------------------------------------
# Flush order: every answer after the fdatasync of its commit, read from a trace of the server


TRACE_LINE = re.compile(r"^(\d+)\s+(.*)$")
TRACE_CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s.*)?$", re.S)
TRACED_CALLS = "openat,pwrite64,pwritev,pwritev2,write,writev,fdatasync,fsync,sendmsg,sendto"
READABLE_REQUEST_ID = re.compile(r"request-w\d+-\d+-of-the-workload")


@dataclass
class TracedCall:
    name: str
    args: str
    result: int
    pid: int
    start: int  # the trace line where the call was entered
    end: int  # the trace line where it returned

    @property
    def fd(self) -> int | None:
        match = re.match(r"(\d+)", self.args)
        return int(match.group(1)) if match else None


def parse_trace(text: str) -> list[TracedCall]:
    """The calls of an `strace -f` trace in order. A call split by another thread's
    ("<unfinished ...>" ... "<... resumed>") starts at its first line and ends at its last."""
    calls = []
    pending: dict[int, tuple[int, str]] = {}
    for index, line in enumerate(text.splitlines()):
        match = TRACE_LINE.match(line)
        if not match:
            continue
        pid, rest = int(match.group(1)), match.group(2)
        start = index
        if rest.startswith("<... "):
            if pid not in pending:
                continue
            start, first = pending.pop(pid)
            rest = first + rest.partition(" resumed>")[2]
        elif rest.endswith("<unfinished ...>"):
            pending[pid] = (index, rest[: -len("<unfinished ...>")].rstrip())
            continue
        call = TRACE_CALL.match(rest)
        if call:
            result = int(call.group(3)) if call.group(3) != "?" else -1
            calls.append(TracedCall(call.group(1), call.group(2), result, pid, start, index))
    return calls


class FlushOrderCheck:
    """Runs the server under `strace -f`, puts writers on it with request ids stored as text
    (so each event's bytes can be found in the trace), then checks, for every answered write:

    - its event reaches data.mdb in a data write W, and the commit's meta page write M follows;
    - an fdatasync of data.mdb runs between W and M (LMDB's order: data durable before the meta
      page points at it);
    - an fdatasync of data.mdb that began after M returned before the answer was written to the
      socket: the answer never runs ahead of the flush that makes its commit durable.

    A kill -9 cannot show the last point (the page cache survives it); the trace does."""

    def __init__(self, binary: Path, directory: Path, seed: int, writers: int, seconds: float):
        self.binary = binary
        self.directory = directory
        self.seed = seed
        self.writer_count = writers
        self.seconds = seconds

    def run(self) -> tuple[bool | None, str]:
        """(True, summary) when the order held, (False, the first violations) when not, (None,
        why) when it could not be traced."""
        strace = shutil.which("strace")
        if strace is None:
            return None, "strace is not installed (apt-get install strace)"
        trace_path = self.directory / "trace"
        server = LedgerServer(self.binary, self.directory / "data", self.directory / "server.log", self.directory / "artifacts",
                              wrapper=[strace, "-f", "-qq", "-s", "65536", "-e", f"trace={TRACED_CALLS}", "-o", str(trace_path)])
        try:
            server.start()
        except SetupError as e:
            if "ptrace" in str(e).lower() or "operation not permitted" in str(e).lower():
                return None, f"strace cannot trace here: {str(e).splitlines()[0]}"
            raise
        registry = IdRegistry()
        writers = [Writer(i, self.seed, registry, label="w", readable_request_ids=True) for i in range(self.writer_count)]
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(server.url, stop), daemon=True) for w in writers]
        try:
            # A lone writer first (the writer thread flushes and answers itself), then all of them
            # (commits are answered by the flusher thread while the next batch is built).
            threads[0].start()
            time.sleep(self.seconds / 3)
            for thread in threads[1:]:
                thread.start()
            time.sleep(self.seconds * 2 / 3)
            stop.set()
            for thread in threads:
                thread.join(HTTP_TIMEOUT_S + 10)
        finally:
            status = server.stop()
        problems = [p.message for w in writers for p in w.problems]
        if status != 0:
            problems.append(f"the traced server exited with status {status} after SIGTERM")
        answered = [rid for w in writers for rid in w.acknowledged_ids]
        if not answered:
            return False, "no write was answered under strace"
        return self.check(trace_path.read_text(errors="replace"), answered, problems)

    def check(self, trace: str, answered: list[str], problems: list[str]) -> tuple[bool, str]:
        # In start order: a call that other threads' lines split ends later than it appears.
        calls = sorted(parse_trace(trace), key=lambda c: c.start)
        data_fds = {c.result for c in calls if c.name == "openat" and '/data.mdb"' in c.args and c.result >= 0}
        if not data_fds:
            return False, "the trace shows no open of data.mdb"
        writes = [c for c in calls if c.name in ("pwrite64", "pwritev", "pwritev2", "write", "writev") and c.fd in data_fds and c.result > 0]
        flushes = [c for c in calls if c.name in ("fdatasync", "fsync") and c.fd in data_fds and c.result == 0]
        metas = [w for w in writes if self.is_meta_write(w)]
        first_write: dict[str, TracedCall] = {}
        for write in writes:
            for rid in READABLE_REQUEST_ID.findall(write.args):
                first_write.setdefault(rid, write)
        answers: dict[str, TracedCall] = {}
        for call in calls:
            if call.name in ("write", "writev", "sendmsg", "sendto") and call.fd not in data_fds and "HTTP/1.1 2" in call.args:
                for rid in re.findall(r"(?i)x-request-id: (request-w\d+-\d+-of-the-workload)", call.args):
                    answers.setdefault(rid, call)
        meta_starts = [m.start for m in metas]
        flush_starts = [f.start for f in flushes]
        # earliest_end[i]: the flush that returns first among those entered at or after flushes[i].
        earliest_end: list[TracedCall | None] = [None] * (len(flushes) + 1)
        for i in range(len(flushes) - 1, -1, -1):
            later = earliest_end[i + 1]
            earliest_end[i] = flushes[i] if later is None or flushes[i].end < later.end else later

        def first_flush_after(line: int) -> TracedCall | None:
            """The flush entered after trace line `line` that returned first."""
            return earliest_end[bisect.bisect_right(flush_starts, line)]
        flushed_by: dict[str, int] = {"writer": 0, "other": 0}
        commits = set()
        for rid in answered:
            answer, write = answers.get(rid), first_write.get(rid)
            if answer is None:
                problems.append(f"{rid}: its 2xx answer is not in the trace")
                continue
            if write is None:
                problems.append(f"{rid}: answered, but no write of data.mdb holds its event")
                continue
            meta = next((m for m in metas[bisect.bisect_right(meta_starts, write.end):] if m.pid == write.pid), None)
            if meta is None or meta.start > answer.start:
                problems.append(f"{rid}: answered (trace line {answer.start + 1}) before its commit's meta page was written")
                continue
            commits.add(meta.start)
            data_flush = first_flush_after(write.end)
            if data_flush is None or data_flush.end > meta.start:
                problems.append(f"{rid}: the meta page (line {meta.start + 1}) was written before the data pages were flushed")
            flush = first_flush_after(meta.end)
            if flush is None or flush.end > answer.start:
                problems.append(f"{rid}: answered (line {answer.start + 1}) before an fdatasync that began after its commit "
                                f"(meta page at line {meta.start + 1}) returned")
                continue
            flushed_by["writer" if flush.pid == meta.pid else "other"] += 1
        if problems:
            return False, f"{len(problems)} problem(s) in {len(answered)} answered writes; first: " + "; ".join(problems[:3])
        return True, (f"{len(answered)} answered writes in {len(commits)} commits, each answered after an fdatasync that began "
                      f"after its commit's meta page was written ({flushed_by['writer']} flushed by the committing thread, "
                      f"{flushed_by['other']} by another), and each commit's data flushed before its meta page")

    @staticmethod
    def is_meta_write(call: TracedCall) -> bool:
        """LMDB's meta page update: a short pwrite into one of the first two pages."""
        match = re.search(r",\s*(\d+),\s*(\d+)$", call.args)
        return call.name == "pwrite64" and match is not None and int(match.group(1)) <= 512 and int(match.group(2)) < 2 * 65536


class CrashTest:
    def __init__(self, binary: Path, directory: Path, args: argparse.Namespace):
        self.binary = binary
        self.args = args
        self.data_dir = directory / "data"
        self.server = LedgerServer(binary, self.data_dir, directory / "server.log", directory / "artifacts")
        self.rng = random.Random(f"{args.seed}-kills")
        registry = IdRegistry()
        self.writers = [Writer(i, args.seed, registry) for i in range(args.writers)]
        self.problems: list[Problem] = []
        self.kills = 0
        self.in_flight_at_kills = 0
        self.in_flight_at_graceful_stop = 0
        self.in_flight_applied = 0
        self.in_flight_absent = 0
        self.verifies_passed = 0
        self.verifies_failed = 0
        self.facts_checked = 0
        self.flush_order = "not run"
        self.pinned_reader: tuple[subprocess.Popen, set[str]] | None = None
        self.first_start_kills = 0
        self.audit_ids: set[str] | None = None

    def fail(self, what: str, message: str) -> None:
        self.problems.append(Problem(what, message))
        print(f"FAIL {what}: {message}", flush=True)

    @property
    def acknowledged(self) -> int:
        return sum(w.acknowledged for w in self.writers)

    def run(self) -> None:
        if self.args.flush_seconds > 0:
            self.check_flush_order()
        if self.args.startup_kills > 0:
            self.kill_first_starts(self.args.startup_kills)
        self.server.start()
        total_rounds = self.args.rounds + 1
        for number in range(1, total_rounds + 1):
            graceful = number == total_rounds
            self.round(number, graceful)
            if not self.restart_and_check(number):
                return
        status = self.server.stop()
        if status != 0:
            self.fail("stop", f"the idle server exited with status {status} after SIGTERM (expected 0)")
        self.verify_offline("after the final graceful stop")

    def check_flush_order(self) -> None:
        directory = self.data_dir.parent / "flush-order"
        directory.mkdir()
        started = time.monotonic()
        passed, message = FlushOrderCheck(self.binary, directory, self.args.seed, 8, self.args.flush_seconds).run()
        shutil.rmtree(directory, ignore_errors=True)  # the trace is large
        if passed is None:
            self.flush_order = "skipped"
            print(f"SKIP flush order: {message}", flush=True)
        elif passed:
            self.flush_order = "passed"
            print(f"flush order under strace: {message} [{time.monotonic() - started:.1f} s]", flush=True)
        else:
            self.flush_order = "failed"
            self.fail("flush-order", message)

    def kill_first_starts(self, count: int) -> None:
        """Kills servers during their very first start on a new directory, at random moments
        before the time a first start takes to answer /health; each restart must complete the
        ledger (workspace `default`, experiment `0`) and pass `replay --verify`."""
        started = time.monotonic()
        root = self.data_dir.parent / "first-starts"
        root.mkdir()
        probe = LedgerServer(self.binary, root / "probe", root / "server.log", root / "artifacts")
        startup = probe.start()
        probe.stop()
        states: dict[str, int] = {}
        rng = random.Random(f"{self.args.seed}-first-starts")
        for number in range(count):
            data_dir = root / f"ledger-{number}"
            server = LedgerServer(self.binary, data_dir, root / "server.log", root / "artifacts")
            server.spawn()
            # Mostly the later part of the start, where the ledger is created (the earlier part is
            # the process starting).
            time.sleep(rng.uniform(0.25 * startup, startup))
            server.kill()
            state = self.creation_state(data_dir)
            states[state] = states.get(state, 0) + 1
            try:
                server.start()
            except SetupError as e:
                self.fail("first-start", f"after a kill during the first start ({state}), the server did not come back: {e}")
                continue
            client = Client(server.url)
            try:
                workspace, _ = client.call("GET", "/api/3.0/mlflow/workspaces/default")
                experiment, _ = client.call("GET", "/api/2.0/mlflow/experiments/get", query={"experiment_id": "0"})
            finally:
                client.close()
                server.stop()
            if (workspace, experiment) != (200, 200):
                self.fail("first-start", f"killed during its first start ({state}), then restarted: workspace 'default' answers "
                                         f"{workspace}, experiment 0 answers {experiment} (expected 200 and 200)")
            result = run_ledger(self.binary, ["replay", "--verify", "--data-dir", str(data_dir)])
            if result.status != 0:
                self.fail("first-start", f"killed during its first start ({state}), restarted: {result.describe()}")
            shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
        described = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        print(f"first starts killed: {count} within {startup * 1000:.0f} ms of the spawn ({described}); each restart "
              f"checked for workspace 'default', experiment 0 and replay --verify [{time.monotonic() - started:.1f} s]", flush=True)
        self.first_start_kills = count

    def creation_state(self, data_dir: Path) -> str:
        """How far a killed first start got, as the read-only CLI sees it."""
        if not (data_dir / "data.mdb").exists():
            return "before the data file"
        result, ids, _ = audit_request_ids(self.binary, data_dir)
        if result.status != 0:
            return "before the format"
        events = len(result.stdout.splitlines())
        return "between the format and the first events" if events == 0 else "after the first events"

    def round(self, number: int, graceful: bool) -> None:
        before = self.acknowledged
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(self.server.url, stop), name=f"writer-{w.index}", daemon=True)
                   for w in self.writers]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        seconds = self.args.seconds * (1.0 if graceful else self.rng.uniform(0.5, 1.0))
        if not graceful and number % 2 == 0:
            # Every other kill, a reader holds a snapshot and the lock file across the kill and
            # the restart: the new server then shares the dead one's lock file (its reader slots
            # and the writer lock it may have held) instead of starting a fresh one.
            time.sleep(seconds / 3)
            self.pin_reader()
            time.sleep(seconds * 2 / 3)
        else:
            time.sleep(seconds)
        # Writers that stopped by themselves lost their connection to a server that was not stopped.
        for writer, thread in zip(self.writers, threads):
            if not thread.is_alive() and writer.in_flight is not None:
                self.fail("no-answer", f"writer {writer.index} got no answer before the server was stopped: {writer.in_flight.error}")
        if graceful:
            status = self.server.stop()
            if status != 0:
                self.fail("stop", f"SIGTERM under load: the server exited with status {status} (expected 0)")
        else:
            self.server.kill()
            self.kills += 1
        stop.set()
        for writer, thread in zip(self.writers, threads):
            thread.join(HTTP_TIMEOUT_S + 10)
            if thread.is_alive():
                self.fail("hang", f"writer {writer.index} did not return after the server stopped")
        in_flight = [w.in_flight for w in self.writers if w.in_flight is not None]
        sent = sum(1 for f in in_flight if f.sent)
        if graceful:
            self.in_flight_at_graceful_stop += len(in_flight)
        else:
            self.in_flight_at_kills += len(in_flight)
        how = "SIGTERM" if graceful else "SIGKILL"
        print(f"round {number}: {how} after {time.monotonic() - started:.1f} s of load: "
              f"{self.acknowledged - before} writes acknowledged ({self.acknowledged} in all), "
              f"{len(in_flight)} in flight ({sent} sent, {len(in_flight) - sent} not sent)", flush=True)
        if self.args.verbose:
            for flight in in_flight:
                op = flight.operation
                print(f"  in flight: {op.kind} {op.request_id} ({'sent' if flight.sent else 'not sent'}): {flight.error}")
        self.verify_offline(f"after round {number}")
        self.audit_ids = self.audit_offline(number)

    def verify_offline(self, when: str) -> None:
        result = run_ledger(self.binary, ["replay", "--verify", "--data-dir", str(self.data_dir)])
        if result.status == 0 and result.stdout.startswith("verified "):
            self.verifies_passed += 1
            print(f"  replay --verify {when}: {result.stdout.strip()} [{result.seconds:.1f} s]", flush=True)
        else:
            self.verifies_failed += 1
            self.fail("verify", f"{when}: {result.describe()}")

    def audit_offline(self, number: int) -> set[str] | None:
        result, ids, malformed = audit_request_ids(self.binary, self.data_dir)
        if ids is None:
            self.fail("audit", f"after round {number}: {malformed or result.describe()}")
            return None
        missing = [rid for w in self.writers for rid in w.acknowledged_ids + w.applied_in_flight_ids if rid not in ids]
        if missing:
            self.fail("lost", f"after round {number}: the audit lacks {len(missing)} acknowledged request id(s), such as {missing[:3]}")
        print(f"  audit after round {number}: {len(ids)} request ids, every acknowledged one present: {not missing} "
              f"[{result.seconds:.1f} s]", flush=True)
        return ids

    def restart_and_check(self, number: int) -> bool:
        try:
            seconds = self.server.start()
        except SetupError as e:
            self.fail("restart", f"after round {number}: {e}")
            return False
        in_flight = {w.index: w.in_flight for w in self.writers if w.in_flight is not None}

        def check(writer: Writer):
            client = Client(self.server.url)
            try:
                outcome = writer.resolve(client)
                checked, problems = writer.verify(client)
                return outcome, checked, problems
            finally:
                client.close()
        started = time.monotonic()
        results = run_parallel(check, self.writers, name="verifier")
        applied = absent = checked_now = lost_now = 0
        for writer, result in zip(self.writers, results):
            if isinstance(result, Exception):
                self.fail("read-failed", f"checking writer {writer.index}: {type(result).__name__}: {result}")
                continue
            outcome, checked, problems = result
            checked_now += checked
            applied += outcome == "applied"
            absent += outcome == "absent"
            flight = in_flight.get(writer.index)
            if flight is not None and self.audit_ids is not None and outcome in ("applied", "absent"):
                in_audit = flight.operation.request_id in self.audit_ids
                if in_audit != (outcome == "applied"):
                    self.fail("partial", f"in-flight {flight.operation.kind} {flight.operation.request_id}: the API shows it "
                                         f"{outcome}, the audit {'has' if in_audit else 'lacks'} it")
            for problem in problems:
                lost_now += problem.what == "lost"
                self.fail(problem.what, problem.message)
        for writer in self.writers:
            for problem in writer.problems:
                self.fail(problem.what, problem.message)
            writer.problems.clear()
        self.in_flight_applied += applied
        self.in_flight_absent += absent
        self.facts_checked += checked_now
        print(f"  restart {number}: healthy in {seconds:.1f} s; in flight: {applied} applied, {absent} absent; "
              f"{checked_now} facts checked, {lost_now} lost [{time.monotonic() - started:.1f} s]", flush=True)
        self.release_pinned_reader()
        return True

    def pin_reader(self) -> None:
        """Starts `ledger audit --format json` with its output unread: once the pipe is full it
        blocks inside a read transaction, holding a snapshot and the lock file."""
        acknowledged = {rid for w in self.writers for rid in w.acknowledged_ids}
        process = subprocess.Popen([str(self.binary), "audit", "--format", "json", "--data-dir", str(self.data_dir)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.pinned_reader = (process, acknowledged)

    def release_pinned_reader(self) -> None:
        if self.pinned_reader is None:
            return
        (process, acknowledged), self.pinned_reader = self.pinned_reader, None
        alive = process.poll() is None
        try:
            stdout, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            self.fail("pinned-reader", "the `ledger audit` held across the kill did not finish within 120 s")
            return
        if process.returncode != 0:
            self.fail("pinned-reader", f"the `ledger audit` held across the kill exited {process.returncode}: {stderr.decode(errors='replace')[-500:]}")
            return
        try:
            ids = {json.loads(line).get("request_id") for line in stdout.decode().splitlines()}
        except ValueError as e:
            self.fail("pinned-reader", f"the `ledger audit` held across the kill printed a line that is not JSON: {e}")
            return
        missing = acknowledged - ids
        if missing:
            self.fail("pinned-reader", f"the `ledger audit` held across the kill lacks {len(missing)} write(s) acknowledged "
                                       f"before it started, such as {sorted(missing)[:3]}")
        print(f"  a `ledger audit` {'held its snapshot' if alive else 'ran'} across the kill and the restart: exit 0, "
              f"{len(ids)} request ids, every write acknowledged before it started present: {not missing}", flush=True)

    def summary(self, seconds: float) -> bool:
        lost = {p.request_id or p.message for p in self.problems if p.what == "lost"}
        counts = {}
        for problem in self.problems:
            counts[problem.what] = counts.get(problem.what, 0) + 1
        other = ", ".join(f"{what}: {n}" for what, n in sorted(counts.items()) if what != "lost") or "none"
        print(f"summary: rounds killed: {self.kills}; first starts killed: {self.first_start_kills}; "
              f"writes acknowledged: {self.acknowledged}; "
              f"in flight at the kills: {self.in_flight_at_kills}, at the graceful stop: {self.in_flight_at_graceful_stop} "
              f"(after the restarts: {self.in_flight_applied} applied, {self.in_flight_absent} absent); "
              f"writes lost: {len(lost)}; other problems: {other}; "
              f"replay --verify: {self.verifies_passed} passed, {self.verifies_failed} failed; flush order: {self.flush_order}; "
              f"facts checked: {self.facts_checked}; seed {self.args.seed}; {seconds:.1f} s", flush=True)
        return not self.problems and self.verifies_failed == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=DEFAULT_LEDGER,
                        help=f"the ledger binary (default: {DEFAULT_LEDGER.relative_to(REPO_ROOT)} in the repository)")
    parser.add_argument("--rounds", type=int, default=5, help="server kills (default 5); a graceful stop follows")
    parser.add_argument("--seconds", type=float, default=10.0, help="longest load before each kill (default 10)")
    parser.add_argument("--writers", type=int, default=16, help="concurrent writer threads (default 16)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moments and the writes (default: random, printed)")
    parser.add_argument("--flush-seconds", type=float, default=3.0,
                        help="seconds of traced load for the flush-order check (default 3; 0 skips it)")
    parser.add_argument("--startup-kills", type=int, default=20,
                        help="servers killed during their first start on a new directory (default 20; 0 skips it)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and server log")
    parser.add_argument("--verbose", action="store_true", help="print each request in flight at a kill")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds <= 0 or args.writers < 1:
        parser.error("--rounds and --writers must be at least 1, --seconds above 0")
    if args.seed is None:
        args.seed = random.randrange(1 << 32)
    try:
        binary = check_binary(args.ledger)
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    Signals.install()
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="ledger-crash-"))
    print(f"crash test: {args.rounds} kills of {args.writers} writers' load, up to {args.seconds:g} s each, "
          f"seed {args.seed}, in {directory}", flush=True)
    test = CrashTest(binary, directory, args)
    try:
        test.run()
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        test.server.kill()
        if test.pinned_reader is not None:
            test.pinned_reader[0].kill()
            test.pinned_reader[0].wait()
        if args.keep:
            print(f"kept {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    passed = test.summary(time.monotonic() - started)
    print("PASS" if passed else "FAIL", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
