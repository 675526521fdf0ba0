#!/usr/bin/env python3
"""The `ledger` command beside a live server: audit, replay --verify and backup while it writes.

Starts `ledger serve` on a free loopback port over a fresh temporary data directory and puts
--writers (8) threads of MLflow write load on it (the mix of tools/crash-test.py: workspaces,
experiments, runs, metrics, batches, params, tags, renames, deletes, registered models). While
they write, it runs over and over, on the same directory:

- `ledger audit --format json`: exit 0, every line a JSON event, sequences strictly increasing,
  and every write acknowledged before the command started is there (by its request id);
- `ledger audit --workspace default --format csv`: RFC 4180 with the documented header, only
  events of `default`, every acknowledged write sent to `default` there;
- `ledger audit --type run.created --verify` (table): the header, a row for every run whose
  creation was acknowledged, and "hash chain verified" on stderr;
- `ledger audit --entity experiment:ID --format json` for one acknowledged experiment: only its
  events, its creation among them;
- `ledger replay --verify`: exit 0, "verified N events: hash chain intact", N at least the
  acknowledged writes;
- `ledger backup --to FILE`: exit 0 and the file in place.

Then it stops the load, reads every acknowledged write back through the API, stops the server
(SIGTERM: exit 0), runs `ledger replay --verify` on the directory, and checks each backup:
`ledger replay --verify --data-dir BACKUP` passes and `ledger audit --data-dir BACKUP` holds every
write acknowledged before that backup started.

It installs nothing and builds nothing (`swift build --product ledger` first). Python 3 stdlib.

Usage:
    python3 tools/cli-beside-server.py [--ledger PATH] [--seconds S] [--writers N] [--seed N] [--keep]

Output: one line per command cycle, problems as `FAIL ...` lines, a summary, then `PASS` or
`FAIL` alone on the last line. Exit code 0 when every command exited 0 with sane output and no
acknowledged write was missing anywhere; 1 otherwise; 2 when it could not run at all (no binary,
a server that never became healthy).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
from ledger_workload import (DEFAULT_LEDGER, HTTP_TIMEOUT_S, REPO_ROOT, CommandResult, IdRegistry,  # noqa: E402
                             LedgerServer, SetupError, Signals, Writer, audit_request_ids, check_binary, run_ledger,
                             read_back)

CSV_HEADER = ["time", "sequence", "actor", "source", "remote_address", "user_agent", "request_id", "workspace", "type",
              "entity", "change"]


class Snapshot:
    """What the writers had acknowledged at one moment."""

    def __init__(self, writers: list[Writer]):
        self.log: list[tuple[str, str, str | None]] = []
        self.runs: list[str] = []
        self.experiments: list[tuple[str, str]] = []  # (id, request id of its creation)
        for writer in writers:
            with writer.lock:
                self.log += writer.acknowledged_log
                self.runs += [ident for _, ident in writer.runs]
                for workspace, ident in writer.experiments:
                    self.experiments.append((ident, writer.facts[("experiment", workspace, ident, "exists")].request_id))

    @property
    def request_ids(self) -> set[str]:
        return {rid for rid, _, _ in self.log}


class CLIBesideServer:
    def __init__(self, binary: Path, directory: Path, args: argparse.Namespace):
        self.binary = binary
        self.directory = directory
        self.args = args
        self.data_dir = directory / "data"
        self.server = LedgerServer(binary, self.data_dir, directory / "server.log", directory / "artifacts")
        registry = IdRegistry()
        self.writers = [Writer(i, args.seed, registry) for i in range(args.writers)]
        self.rng = random.Random(f"{args.seed}-cli")
        self.failures: list[str] = []
        self.commands: dict[str, int] = {}
        self.slowest: dict[str, float] = {}
        self.backups: list[tuple[Path, Snapshot]] = []

    def fail(self, what: str, message: str) -> None:
        self.failures.append(f"{what}: {message}")
        print(f"FAIL {what}: {message}", flush=True)

    def ledger(self, label: str, args: list[str], data_dir: Path | None = None) -> CommandResult:
        result = run_ledger(self.binary, args + ["--data-dir", str(data_dir or self.data_dir)])
        self.count(label, result)
        return result

    def count(self, label: str, result: CommandResult) -> None:
        self.commands[label] = self.commands.get(label, 0) + 1
        self.slowest[label] = max(self.slowest.get(label, 0.0), result.seconds)

    def run(self) -> None:
        self.server.start()
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(self.server.url, stop), name=f"writer-{w.index}", daemon=True)
                   for w in self.writers]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # some history before the first command
        deadline = time.monotonic() + self.args.seconds
        cycle = 0
        try:
            while time.monotonic() < deadline:
                cycle += 1
                started = time.monotonic()
                commands = sum(self.commands.values())
                self.cycle(cycle)
                acknowledged = sum(len(w.acknowledged_log) for w in self.writers)
                print(f"cycle {cycle}: {sum(self.commands.values()) - commands} commands beside the server in "
                      f"{time.monotonic() - started:.1f} s; "
                      f"{acknowledged} writes acknowledged so far", flush=True)
                for writer, thread in zip(self.writers, threads):
                    if not thread.is_alive():
                        self.fail("writer", f"writer {writer.index} stopped: "
                                            f"{writer.in_flight.error if writer.in_flight else 'no error recorded'}")
                        raise StopIteration
        except StopIteration:
            pass
        finally:
            stop.set()
            for thread in threads:
                thread.join(HTTP_TIMEOUT_S + 10)
        self.finish()

    def cycle(self, number: int) -> None:
        self.check_audit_json()
        self.check_audit_csv()
        self.check_audit_table()
        self.check_audit_entity()
        self.check_verify(self.data_dir, Snapshot(self.writers), "replay --verify")
        self.take_backup(number)

    def check_audit_json(self) -> None:
        before = Snapshot(self.writers)
        result, ids, malformed = audit_request_ids(self.binary, self.data_dir)
        self.count("audit json", result)
        if ids is None:
            self.fail("audit json", malformed or result.describe())
            return
        sequences = [json.loads(line)["sequence"] for line in result.stdout.splitlines()]
        if any(b <= a for a, b in zip(sequences, sequences[1:])):
            self.fail("audit json", "sequences are not strictly increasing")
        missing = before.request_ids - ids
        if missing:
            self.fail("audit json", f"{len(missing)} write(s) acknowledged before the audit started are missing, "
                                    f"such as {sorted(missing)[:3]}")

    def check_audit_csv(self) -> None:
        before = Snapshot(self.writers)
        result = self.ledger("audit csv", ["audit", "--workspace", "default", "--format", "csv"])
        if result.status != 0:
            self.fail("audit csv", result.describe())
            return
        rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
        if not rows or rows[0] != CSV_HEADER:
            self.fail("audit csv", f"header {rows[:1]!r}, expected {CSV_HEADER!r}")
            return
        bad = [row for row in rows[1:] if len(row) != len(CSV_HEADER) or row[7] != "default"]
        if bad:
            self.fail("audit csv", f"{len(bad)} row(s) malformed or outside 'default', such as {bad[0]!r}")
        ids = {row[6] for row in rows[1:] if len(row) == len(CSV_HEADER)}
        expected = {rid for rid, _, workspace in before.log if workspace == "default"}
        missing = expected - ids
        if missing:
            self.fail("audit csv", f"{len(missing)} write(s) to 'default' acknowledged before the audit started are missing, "
                                   f"such as {sorted(missing)[:3]}")

    def check_audit_table(self) -> None:
        before = Snapshot(self.writers)
        result = self.ledger("audit table", ["audit", "--type", "run.created", "--verify"])
        if result.status != 0:
            self.fail("audit table", result.describe())
            return
        lines = result.stdout.splitlines()
        if not lines or lines[0].split() != ["TIME", "SEQ", "ACTOR", "SOURCE", "WORKSPACE", "TYPE", "ENTITY", "CHANGE"]:
            self.fail("audit table", f"unexpected header {lines[:1]!r}")
            return
        if any(" run.created " not in line for line in lines[1:]):
            self.fail("audit table", "a row of another type than run.created")
        entities = set(re.findall(r"\brun:([0-9a-f]{32})\b", result.stdout))
        missing = set(before.runs) - entities
        if missing:
            self.fail("audit table", f"{len(missing)} run(s) created before the audit started are missing, such as {sorted(missing)[:3]}")
        if before.runs and "hash chain verified" not in result.stderr:
            self.fail("audit table", f"--verify said nothing about the chain: {result.stderr.strip()[:300]!r}")

    def check_audit_entity(self) -> None:
        before = Snapshot(self.writers)
        if not before.experiments:
            return
        ident, created_by = self.rng.choice(before.experiments)
        result = self.ledger("audit entity", ["audit", "--entity", f"experiment:{ident}", "--format", "json"])
        if result.status != 0:
            self.fail("audit entity", result.describe())
            return
        try:
            events = [json.loads(line) for line in result.stdout.splitlines()]
        except ValueError as e:
            self.fail("audit entity", f"output is not JSON lines: {e}")
            return
        if any(event.get("entity") != f"experiment:{ident}" for event in events):
            self.fail("audit entity", f"--entity experiment:{ident} printed events of other entities")
        if not any(event.get("request_id") == created_by and event.get("type") == "experiment.created" for event in events):
            self.fail("audit entity", f"experiment {ident}: its acknowledged creation ({created_by}) is missing")

    def check_verify(self, data_dir: Path, before: Snapshot, label: str) -> bool:
        result = self.ledger(label, ["replay", "--verify"], data_dir)
        match = re.match(r"verified (\d+) events: hash chain intact", result.stdout)
        if result.status != 0 or match is None:
            self.fail(label, result.describe())
            return False
        # Each acknowledged write is at least one event; a new ledger starts with two.
        if int(match.group(1)) < len(before.log) + 2:
            self.fail(label, f"verified {match.group(1)} events, but {len(before.log)} writes were acknowledged before it started")
            return False
        return True

    def take_backup(self, number: int) -> None:
        before = Snapshot(self.writers)
        path = self.directory / f"backup-{number}.mdb"
        result = self.ledger("backup", ["backup", "--to", str(path)])
        if result.status != 0 or not result.stdout.startswith("backed up the ledger") or not path.is_file():
            self.fail("backup", result.describe())
            return
        self.backups.append((path, before))

    def finish(self) -> None:
        checked = lost = 0
        for writer, result in zip(self.writers, read_back(self.server.url, self.writers)):
            if isinstance(result, Exception):
                self.fail("read back", f"writer {writer.index}: {type(result).__name__}: {result}")
                continue
            count, problems = result
            checked += count
            for problem in problems:
                lost += problem.what == "lost"
                self.fail(problem.what, problem.message)
            for problem in writer.problems:
                self.fail(problem.what, problem.message)
        self.facts_checked, self.lost = checked, lost
        print(f"read back through the API: {checked} facts of {sum(len(w.acknowledged_log) for w in self.writers)} "
              f"acknowledged writes, {lost} lost", flush=True)
        status = self.server.stop()
        if status != 0:
            self.fail("stop", f"the server exited with status {status} after SIGTERM (expected 0)")
        self.check_verify(self.data_dir, Snapshot(self.writers), "final replay --verify")
        verified = 0
        for path, before in self.backups:
            if not self.check_verify(path, before, "backup replay --verify"):
                continue
            result, ids, malformed = audit_request_ids(self.binary, path)
            self.count("backup audit", result)
            if ids is None:
                self.fail("backup audit", f"{path.name}: {malformed or result.describe()}")
                continue
            missing = before.request_ids - ids
            if missing:
                self.fail("backup", f"{path.name} lacks {len(missing)} write(s) acknowledged before it started, "
                                    f"such as {sorted(missing)[:3]}")
                continue
            verified += 1
        self.backups_verified = verified
        print(f"backups: {verified} of {len(self.backups)} verified and holding every write acknowledged before they started",
              flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=DEFAULT_LEDGER,
                        help=f"the ledger binary (default: {DEFAULT_LEDGER.relative_to(REPO_ROOT)} in the repository)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to run commands beside the load (default 10)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer threads (default 8)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the writes (default: random, printed)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory, backups and server log")
    args = parser.parse_args()
    if args.seconds <= 0 or args.writers < 1:
        parser.error("--seconds must be above 0 and --writers at least 1")
    if args.seed is None:
        args.seed = random.randrange(1 << 32)
    try:
        binary = check_binary(args.ledger)
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    Signals.install()
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="ledger-cli-beside-"))
    print(f"cli beside server: {args.writers} writers for {args.seconds:g} s, seed {args.seed}, in {directory}", flush=True)
    test = CLIBesideServer(binary, directory, args)
    try:
        test.run()
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        test.server.kill()
        if args.keep:
            print(f"kept {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    commands = ", ".join(f"{label} {count} (slowest {test.slowest[label]:.1f} s)" for label, count in test.commands.items())
    acknowledged = sum(len(w.acknowledged_log) for w in test.writers)
    print(f"summary: {sum(test.commands.values())} commands ({commands}); failures: {len(test.failures)}; "
          f"writes acknowledged: {acknowledged}; lost: {getattr(test, 'lost', 'not checked')}; "
          f"backups verified: {getattr(test, 'backups_verified', 0)} of {len(test.backups)}; seed {args.seed}; "
          f"{time.monotonic() - started:.1f} s", flush=True)
    passed = not test.failures
    print("PASS" if passed else "FAIL", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
