#!/usr/bin/env python3
"""Full disk through the binary: `ledger serve` on a size-limited file system, written until full.

Mounts a small tmpfs (--size-mb, 8) with a ballast file (--ballast-mb, 1) on it, starts `ledger
serve` with its data directory there (its log and artifact root elsewhere) and puts --writers (4)
threads of MLflow write load on it, with large tag values, until each gets a refusal. Then:

1. every refusal is a clear error: HTTP 507 (Insufficient Storage) with MLflow's JSON body,
   error_code RESOURCE_EXHAUSTED and a message that says the disk is full and to free space (not
   a bare 500, and no status the MLflow client retries), and a refused write left nothing
   behind (read back through the API); with the real MLflow client installed, a write through
   it fails within seconds with that code and message (it retries 5xx such as 503 for about four
   minutes, then reports "too many 503 error responses" without the message);
2. the server is alive and reads keep working: every acknowledged write reads back through the
   API, and `ledger replay --verify` passes beside the server on the full disk;
3. further large writes are refused the same way, and the server stops cleanly and starts again
   on the full disk, serving every acknowledged write;
4. with the ballast deleted, writes succeed again (each writer sends a few more, all answered 2xx);
5. the server stops cleanly (SIGTERM: exit 0), `ledger replay --verify` passes, and after a
   restart on the same directory every acknowledged write is still there.
The file system is unmounted in all cases.

Mounting needs root (CI runs as root). Run as another user, the check is skipped with a `SKIP`
line and exit 0; run as root where mounting is refused (a container without CAP_SYS_ADMIN), it
cannot run: exit 2.

It installs nothing and builds nothing (`swift build --product ledger` first). Python 3 stdlib.

Usage:
    python3 tools/full-disk.py [--ledger PATH] [--size-mb N] [--ballast-mb N] [--writers N] [--seed N] [--keep-log]

Output: one line per step, problems as `FAIL ...` lines, a summary, then `PASS`, `FAIL` or `SKIP`
alone on the last line. Exit code 0 when every step held (or the check was skipped as non-root);
1 when one did not; 2 when it could not run at all (no binary, no mount as root, a server that
never became healthy).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
from ledger_workload import (DEFAULT_LEDGER, HTTP_TIMEOUT_S, REPO_ROOT, Client, IdRegistry, InFlight,  # noqa: E402
                             LedgerServer, Operation, SetupError, Signals, Writer, check_binary, read_back, run_ledger)

FILL_TIMEOUT_S = 120.0  # the disk must fill within this
FILLER_CHARS = 3000  # per new tag value while filling


class Mount:
    """A size-limited tmpfs on a fresh directory; `unmount()` is safe to call more than once."""

    def __init__(self, size_mb: int):
        self.path = Path(tempfile.mkdtemp(prefix="ledger-full-disk-"))
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(self.path)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            self.path.rmdir()
            raise SetupError(f"mount -t tmpfs -o size={size_mb}m failed ({result.returncode}): "
                             f"{(result.stderr or result.stdout).strip()}; this check needs root with CAP_SYS_ADMIN")
        self.mounted = True

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def unmount(self) -> None:
        if not self.mounted:
            return
        result = subprocess.run(["umount", str(self.path)], capture_output=True, text=True)
        if result.returncode != 0:
            # Busy (a process still holds a file): detach it now, freed when the last one closes.
            print(f"note: umount {self.path}: {result.stderr.strip()}; detaching it lazily", file=sys.stderr)
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
        self.mounted = False
        try:
            self.path.rmdir()
        except OSError:
            pass


class FullDisk:
    def __init__(self, binary: Path, mount: Mount, outside: Path, args: argparse.Namespace):
        self.binary = binary
        self.mount = mount
        self.args = args
        self.data_dir = mount.path / "ledger"
        self.ballast = mount.path / "ballast"
        self.server = LedgerServer(binary, self.data_dir, outside / "server.log", outside / "artifacts")
        registry = IdRegistry()
        self.writers = [Writer(i, args.seed, registry, label="w", max_workspaces=1, filler=FILLER_CHARS)
                        for i in range(args.writers)]
        self.failures: list[str] = []
        self.refusals: list[tuple[Writer, Operation, int, object]] = []
        self.refusals_lock = threading.Lock()

    def fail(self, what: str, message: str) -> None:
        self.failures.append(f"{what}: {message}")
        print(f"FAIL {what}: {message}", flush=True)

    def step(self, message: str) -> None:
        print(message, flush=True)

    def run(self) -> None:
        with open(self.ballast, "wb") as ballast:
            ballast.write(os.urandom(self.args.ballast_mb << 20))
            os.fsync(ballast.fileno())
        self.server.start()
        self.step(f"serving {self.data_dir} on a {self.args.size_mb} MiB tmpfs with a {self.args.ballast_mb} MiB ballast "
                  f"({self.mount.free_bytes() >> 10} KiB free)")
        if not self.fill():
            return
        self.check_refusals()
        self.check_reads("while full")
        self.check_verify("beside the server on the full disk")
        self.check_still_refused()
        self.check_real_client()
        status = self.server.stop()
        if status != 0:
            self.fail("stop", f"on the full disk, the server exited with status {status} after SIGTERM (expected 0)")
        self.server.start()
        self.check_reads("after a restart on the full disk")
        self.ballast.unlink()
        self.step(f"deleted the ballast: {self.mount.free_bytes() >> 10} KiB free")
        self.check_writes_again()
        self.check_reads("after space was freed")
        status = self.server.stop()
        if status != 0:
            self.fail("stop", f"the server exited with status {status} after SIGTERM (expected 0)")
        self.check_verify("after the server stopped")
        self.server.start()
        self.check_reads("after a restart")
        status = self.server.stop()
        if status != 0:
            self.fail("stop", f"the restarted server exited with status {status} after SIGTERM (expected 0)")

    # -- filling -----------------------------------------------------------------------------

    def on_refusal(self, writer: Writer):
        def record(operation: Operation, status: int, body) -> bool:
            with self.refusals_lock:
                self.refusals.append((writer, operation, status, body))
            return True  # expected once the disk is full; checked afterwards
        return record

    def fill(self) -> bool:
        started = time.monotonic()
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(self.server.url, stop), kwargs={"on_refusal": self.on_refusal(w)},
                                    daemon=True) for w in self.writers]
        for thread in threads:
            thread.start()
        deadline = started + FILL_TIMEOUT_S
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(HTTP_TIMEOUT_S + 10)
        acknowledged = sum(w.acknowledged for w in self.writers)
        for writer in self.writers:
            if writer.in_flight is not None:
                self.fail("no-answer", f"writer {writer.index}: a request got no answer while the disk filled: {writer.in_flight.error}")
        if not self.refusals:
            self.fail("fill", f"the disk did not fill within {FILL_TIMEOUT_S:.0f} s ({acknowledged} writes acknowledged)")
            return False
        self.step(f"filled the disk in {time.monotonic() - started:.1f} s: {acknowledged} writes acknowledged, then "
                  f"{len(self.refusals)} refused ({self.mount.free_bytes() >> 10} KiB free)")
        return True

    # -- checks ------------------------------------------------------------------------------

    def clear_error(self, status: int, body) -> str | None:
        """Why an answer to a write on a full disk is not the clear error it must be (None if it is)."""
        if status != 507:
            return f"HTTP {status}, expected 507 Insufficient Storage"
        if not isinstance(body, dict):
            return f"body {str(body)[:200]!r} is not MLflow's JSON error"
        if body.get("error_code") != "RESOURCE_EXHAUSTED":
            return f"error_code {body.get('error_code')!r}, expected 'RESOURCE_EXHAUSTED'"
        message = body.get("message")
        if not isinstance(message, str) or "full" not in message or "free space" not in message:
            return f"the message {message!r} does not say that the disk is full and to free space"
        return None

    def check_refusals(self) -> None:
        unclear = [(op, status, body, why) for _, op, status, body in self.refusals if (why := self.clear_error(status, body))]
        for op, status, body, why in unclear[:5]:
            self.fail("unclear-error", f"{op.kind} {op.request_id}: {why}: {str(body)[:300]}")
        # A refused write leaves nothing: read what it would have changed.
        written = 0
        for writer, operation, _, _ in self.refusals:
            writer.in_flight = InFlight(operation, "refused", True)
            client = Client(self.server.url)
            try:
                outcome = writer.resolve(client)
            finally:
                client.close()
            if outcome != "absent":
                written += 1
                self.fail("refused-but-written", f"{operation.kind} {operation.request_id} was refused, yet the server shows it {outcome}")
        sample = self.refusals[0][3]
        self.step(f"refusals: {len(self.refusals) - len(unclear)} of {len(self.refusals)} clear "
                  f"(HTTP {self.refusals[0][2]} {sample.get('error_code') if isinstance(sample, dict) else sample!r}: "
                  f"{sample.get('message') if isinstance(sample, dict) else ''}); {written} left anything behind")

    def check_reads(self, when: str) -> None:
        checked = lost = 0
        for writer, result in zip(self.writers, read_back(self.server.url, self.writers)):
            if isinstance(result, Exception):
                self.fail("read", f"{when}: writer {writer.index}: {type(result).__name__}: {result}")
                continue
            count, problems = result
            checked += count
            for problem in problems:
                lost += problem.what == "lost"
                self.fail(problem.what, f"{when}: {problem.message}")
            for problem in writer.problems:
                self.fail(problem.what, f"{when}: {problem.message}")
            writer.problems.clear()
        self.step(f"reads {when}: {checked} facts of {sum(w.acknowledged for w in self.writers)} acknowledged writes "
                  f"read back, {lost} lost")

    def check_verify(self, when: str) -> None:
        result = run_ledger(self.binary, ["replay", "--verify", "--data-dir", str(self.data_dir)])
        if result.status != 0 or not result.stdout.startswith("verified "):
            self.fail("verify", f"{when}: {result.describe()}")
        else:
            self.step(f"replay --verify {when}: {result.stdout.strip()}")

    def check_still_refused(self) -> None:
        client = Client(self.server.url)
        unclear = accepted = 0
        try:
            for attempt in range(5):
                tags = [{"key": f"filler-{i}", "value": "x" * 5000} for i in range(8)]
                status, body = client.call("POST", "/api/2.0/mlflow/experiments/create",
                                           body={"name": f"still-full-{attempt}", "tags": tags})
                if 200 <= status < 300:
                    accepted += 1
                elif (why := self.clear_error(status, body)) is not None:
                    unclear += 1
                    self.fail("unclear-error", f"a 40 KB write on the full disk: {why}: {str(body)[:300]}")
            status, _ = client.call("GET", "/health")
        finally:
            client.close()
        if status != 200:
            self.fail("health", f"GET /health answered {status} on the full disk")
        if accepted:
            self.fail("still-full", f"{accepted} of 5 writes of 40 KB were accepted on a disk that had refused smaller ones")
        self.step(f"still full: 5 writes of 40 KB refused ({5 - unclear - accepted} clearly), /health {status}")

    def check_real_client(self) -> None:
        """A write through the real MLflow client, with its default retries, on the full disk."""
        probe = subprocess.run([sys.executable, "-c", "import mlflow"], capture_output=True)
        if probe.returncode != 0:
            self.step("note: the mlflow client is not installed; the check through it is skipped "
                      "(pip install mlflow-skinny==3.17.2)")
            return
        script = (
            "import json, sys, time\n"
            "from mlflow import MlflowClient\n"
            "from mlflow.exceptions import MlflowException\n"
            "started = time.monotonic()\n"
            "try:\n"
            "    MlflowClient(tracking_uri=sys.argv[1]).create_experiment('through-the-client', tags={f'filler-{i}': 'x' * 7000 for i in range(6)})\n"
            "    outcome = {'error_code': None}\n"
            "except MlflowException as e:\n"
            "    outcome = {'error_code': e.error_code, 'message': e.message}\n"
            "outcome['seconds'] = time.monotonic() - started\n"
            "print(json.dumps(outcome))\n")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        environment.update({"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"})
        limit = 30.0
        try:
            result = subprocess.run([sys.executable, "-c", script, self.server.url], capture_output=True, text=True,
                                    timeout=limit, env=environment)
        except subprocess.TimeoutExpired:
            self.fail("client", f"a write through the MLflow client did not fail within {limit:.0f} s on the full disk: "
                                f"it retries the answer")
            return
        try:
            outcome = json.loads(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.fail("client", f"the client script failed ({result.returncode}): {result.stderr[-800:]}")
            return
        if outcome.get("error_code") != "RESOURCE_EXHAUSTED" or "free space" not in (outcome.get("message") or ""):
            self.fail("client", f"through the MLflow client, a write on the full disk gave {outcome!r}, expected "
                                f"RESOURCE_EXHAUSTED with the server's message")
            return
        self.step(f"through the MLflow client: {outcome['error_code']} after {outcome['seconds']:.1f} s: {outcome['message']}")

    def check_writes_again(self) -> None:
        for writer in self.writers:
            writer.filler = ""
        before = sum(w.acknowledged for w in self.writers)
        per_writer = 10
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(self.server.url, stop), kwargs={"max_operations": per_writer}, daemon=True)
                   for w in self.writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HTTP_TIMEOUT_S + 10)
        acknowledged = sum(w.acknowledged for w in self.writers) - before
        refused = [p for w in self.writers for p in w.problems if p.what == "refused"]
        for problem in refused[:5]:
            self.fail("refused-after-freeing", problem.message)
        if acknowledged != per_writer * len(self.writers):
            self.fail("writes-again", f"{acknowledged} of {per_writer * len(self.writers)} writes succeeded after the ballast was deleted")
        self.step(f"writes after freeing space: {acknowledged} of {per_writer * len(self.writers)} acknowledged")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=DEFAULT_LEDGER,
                        help=f"the ledger binary (default: {DEFAULT_LEDGER.relative_to(REPO_ROOT)} in the repository)")
    parser.add_argument("--size-mb", type=int, default=8, help="size of the tmpfs in MiB (default 8)")
    parser.add_argument("--ballast-mb", type=int, default=1, help="ballast file deleted to free space, MiB (default 1)")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer threads (default 4)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the writes (default: random, printed)")
    parser.add_argument("--keep-log", action="store_true", help="keep the server log (the data directory goes with the mount)")
    args = parser.parse_args()
    if args.size_mb < 2 or not 0 < args.ballast_mb < args.size_mb or args.writers < 1:
        parser.error("--size-mb must be at least 2, --ballast-mb between 1 and below --size-mb, --writers at least 1")
    if args.seed is None:
        args.seed = random.randrange(1 << 32)
    try:
        binary = check_binary(args.ledger)
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("SKIP full disk: mounting a size-limited tmpfs needs root (CI runs as root)", flush=True)
        print("SKIP", flush=True)
        return 0

    Signals.install()
    started = time.monotonic()
    outside = Path(tempfile.mkdtemp(prefix="ledger-full-disk-log-"))
    mount = test = None
    try:
        mount = Mount(args.size_mb)
        print(f"full disk: {args.writers} writers, seed {args.seed}, tmpfs at {mount.path}", flush=True)
        test = FullDisk(binary, mount, outside, args)
        test.run()
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if test is not None:
            test.server.kill()
        if mount is not None:
            mount.unmount()
        if args.keep_log:
            print(f"kept {outside}", file=sys.stderr)
        else:
            shutil.rmtree(outside, ignore_errors=True)
    acknowledged = sum(w.acknowledged for w in test.writers)
    print(f"summary: writes acknowledged: {acknowledged}; refused on the full disk: {len(test.refusals)}; "
          f"failures: {len(test.failures)}; seed {args.seed}; {time.monotonic() - started:.1f} s", flush=True)
    passed = not test.failures
    print("PASS" if passed else "FAIL", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
