#!/usr/bin/env python3
"""Fuzzes `ledger serve` with schemathesis against the server's own OpenAPI document.

Starts `ledger serve` on a free loopback port over a fresh temporary data directory, seeds a
little data (a workspace, experiments, a run with parameters, metrics and tags, a registered
model, a user and grants), and runs schemathesis against `GET /api/openapi.json` with a fixed
seed and a bounded number of examples per operation. It does this twice: once without
authentication, once with `--auth` (schemathesis then sends the admin's HTTP Basic
credentials and also checks that no protected operation answers without them; it leaves out the
three user operations through which it would lock itself out, which the first round covers).

A round passes when schemathesis finds no failure: no 5xx, every status, content type, header
and body as the document says, invalid input (per the document) refused, and deleted resources
gone. After each round the server must still be alive, `ledger replay --verify` must pass on its
data directory, and no event of the log may come from a request that was refused: every request
id in `ledger audit` belongs to a request answered 2xx.

It installs nothing and builds nothing: schemathesis must be installed
(`pip install schemathesis==4.32.5`) and the binary built (`swift build --product ledger`).

Usage:
    python3 tools/schemathesis.py [--ledger PATH] [--max-examples N] [--seed N] [--rounds open,auth]
                                  [--round-timeout SECONDS] [--keep-reports DIR]

Output: schemathesis's own report for each round, then one line per round and a last line
`schemathesis: N test cases generated, ... failures` alone on its line. Exit code 0 when every
round passed, 1 when one failed, 2 when it could not run at all.
"""

from __future__ import annotations

import argparse
import base64
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
from ledger_workload import DEFAULT_LEDGER, REPO_ROOT, LedgerServer, SetupError, Signals  # noqa: E402

EXPECTED_SCHEMATHESIS = "4.32.5"

HTTP_TIMEOUT_S = 10  # every seeding request

ADMIN = ("admin", "admin-fuzz-password")

# schemathesis's command line, run by this interpreter (so that it is the one pip installed it
# for, wherever its console script went).
SCHEMATHESIS = [sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; schemathesis()"]

# The checks of every round. Left out: positive_data_acceptance (MLflow answers a taken name
# with 400 RESOURCE_ALREADY_EXISTS, so valid input can be refused), unsupported_method (an
# unknown method answers 404 ENDPOINT_NOT_FOUND, not 405), missing_required_header (no required
# header), object_level_authorization (one user per round).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
]
AUTH_CHECKS = CHECKS + ["ignored_auth"]

# Operations the authenticated round leaves out: with them the fuzzer deletes, demotes or
# re-passwords the very admin it authenticates as (it reads the name from users/list), and every
# later request is refused. The open round fuzzes them; the Swift suites check who may call them.
AUTH_EXCLUDED_PATHS = r"/mlflow/users/(delete|update-admin|update-password)$"


class FuzzServer(LedgerServer):
    """`ledger serve` over a new temporary directory (with `--auth`, its admin is `ADMIN`);
    `remove()` stops it and deletes the directory."""

    def __init__(self, binary: Path, authentication: bool):
        self.authentication = authentication
        self.tmp = Path(tempfile.mkdtemp(prefix="ledger-schemathesis-"))
        super().__init__(binary, self.tmp / "data", self.tmp / "server.log", artifact_root=self.tmp / "artifacts",
                         arguments=["--auth"] if authentication else [],
                         environment={"LEDGER_ADMIN_USERNAME": ADMIN[0], "LEDGER_ADMIN_PASSWORD": ADMIN[1]}
                         if authentication else {})

    def remove(self) -> None:
        with Signals.hold():
            try:
                self.stop()
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Seeding


class Seeder:
    """Plain-HTTP requests that must succeed: the data the fuzzing starts from."""

    def __init__(self, server: FuzzServer):
        self.base = server.url
        self.headers = {"User-Agent": "ledger-schemathesis-seed"}
        if server.authentication:
            token = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def call(self, method: str, path: str, body: dict | None = None, workspace: str | None = None) -> dict:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if workspace is not None:
            headers["X-MLFLOW-WORKSPACE"] = workspace
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raise SetupError(f"seeding: {method} {path} answered {e.code}: {e.read()[:300]!r}") from e
        return json.loads(raw) if raw.strip() else {}

    def seed(self) -> None:
        """In `default` and a new workspace `team-a`: an experiment with a run (a parameter, a metric
        and a tag) and a registered model; a user with a grant on `team-a` and one on experiment 0."""
        self.call("POST", "/api/3.0/mlflow/workspaces", {"name": "team-a", "description": "seeded"})
        for workspace in ("default", "team-a"):
            experiment = self.call("POST", "/api/2.0/mlflow/experiments/create",
                                   {"name": "seed-experiment", "tags": [{"key": "team", "value": "a"}]}, workspace)["experiment_id"]
            run = self.call("POST", "/api/2.0/mlflow/runs/create", {"experiment_id": experiment, "run_name": "seed-run"},
                            workspace)["run"]["info"]["run_id"]
            self.call("POST", "/api/2.0/mlflow/runs/log-batch", {
                "run_id": run, "params": [{"key": "lr", "value": "0.01"}],
                "metrics": [{"key": "acc", "value": 0.9, "timestamp": 1, "step": 0}], "tags": [{"key": "stage", "value": "seed"}]},
                workspace)
            self.call("POST", "/api/2.0/mlflow/registered-models/create",
                      {"name": "seed-model", "tags": [{"key": "team", "value": "a"}]}, workspace)
        self.call("POST", "/api/2.0/mlflow/users/create", {"username": "seed-user", "password": "seed-password"})
        self.call("POST", "/api/3.0/mlflow/workspaces/team-a/permissions", {"username": "seed-user", "permission": "READ"})
        self.call("POST", "/api/2.0/mlflow/experiments/permissions/create",
                  {"experiment_id": "0", "username": "seed-user", "permission": "EDIT"})


# --------------------------------------------------------------------------------------------
# One round


class Round:
    def __init__(self, name: str, binary: Path, args: argparse.Namespace):
        self.name = name
        self.binary = binary
        self.args = args
        self.authentication = name == "auth"
        self.cases = 0
        self.finished = False  # schemathesis ran to its end (and wrote its HAR file)
        self.problems: list[str] = []

    def run(self) -> None:
        server = FuzzServer(self.binary, self.authentication)
        try:
            server.start()
            Seeder(server).seed()
            har = server.tmp / "requests.har"
            self.cases = self.fuzz(server, har)
            if not server.is_alive():
                self.problems.append(f"the server exited during fuzzing:\n{server.log_tail()}")
            server.stop()
            self.verify_log(server, har)
            if self.args.keep_reports and har.exists():
                self.args.keep_reports.mkdir(parents=True, exist_ok=True)
                shutil.copy(har, self.args.keep_reports / f"{self.name}.har")
        finally:
            server.remove()

    def fuzz(self, server: FuzzServer, har: Path) -> int:
        """Runs schemathesis; returns the number of test cases it generated."""
        checks = AUTH_CHECKS if self.authentication else CHECKS
        command = SCHEMATHESIS + [
            "run", f"{server.url}/api/openapi.json",
            "--checks", ",".join(checks),
            "--max-examples", str(self.args.max_examples),
            "--seed", str(self.args.seed),
            "--workers", str(self.args.workers),
            "--generation-database", "none",
            "--request-timeout", "10",
            "--report", "har", "--report-har-path", str(har),
            "--no-color",
        ]
        if self.authentication:
            # The credentials go on every request, so none is generated as test data: a generated
            # "missing Authorization" case would still carry them, and read as invalid input accepted.
            # ignored_auth sends the requests without (and with wrong) credentials itself.
            command += ["--auth", f"{ADMIN[0]}:{ADMIN[1]}", "--generation-with-security-parameters", "false",
                        "--exclude-path-regex", AUTH_EXCLUDED_PATHS]
        print(f"==> round '{self.name}': schemathesis {' '.join(command[len(SCHEMATHESIS):])}", flush=True)
        started = time.monotonic()
        try:
            completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       timeout=self.args.round_timeout, cwd=server.tmp)
        except subprocess.TimeoutExpired as e:
            output = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode(errors="replace")
            print(output, flush=True)
            self.problems.append(f"schemathesis did not finish within {self.args.round_timeout} s (--round-timeout)")
            return count_cases(output)
        self.finished = True
        print(completed.stdout, flush=True)
        print(f"round '{self.name}': schemathesis took {time.monotonic() - started:.1f} s, exit status {completed.returncode}",
              flush=True)
        if completed.returncode != 0:
            self.problems.append("schemathesis reported failures or errors (above)")
        cases = count_cases(completed.stdout)
        if cases == 0:
            self.problems.append("could not read the number of generated test cases from schemathesis's report")
        return cases

    def verify_log(self, server: FuzzServer, har: Path) -> None:
        """`replay --verify` passes, and every event comes from a request answered 2xx."""
        verify = subprocess.run([str(self.binary), "replay", "--verify", "--data-dir", str(server.data_dir)],
                                capture_output=True, text=True, timeout=120)
        if verify.returncode != 0:
            self.problems.append(f"ledger replay --verify failed after fuzzing:\n{verify.stdout}{verify.stderr}")
        else:
            print(f"round '{self.name}': {verify.stdout.strip()}", flush=True)
        if not self.finished:
            return
        audit = subprocess.run([str(self.binary), "audit", "--format", "json", "--data-dir", str(server.data_dir)],
                               capture_output=True, text=True, timeout=120)
        if audit.returncode != 0:
            self.problems.append(f"ledger audit failed:\n{audit.stderr}")
            return
        try:
            statuses = response_statuses(har)
        except (OSError, ValueError) as e:
            self.problems.append(f"could not read the requests schemathesis sent ({har}): {e}")
            return
        # One JSON object a line; not `splitlines()`, which also splits at U+2028 and the like that
        # JSON strings may hold unescaped.
        events = [json.loads(line) for line in audit.stdout.split("\n") if line.strip()]
        fuzzed = [event for event in events if event["source"] == "http" and event["request_id"] in statuses]
        refused = [event for event in fuzzed if not 200 <= statuses[event["request_id"]] < 300]
        for event in refused[:10]:
            self.problems.append(f"event {event['sequence']} ({event['type']} {event['entity']}) was written by request "
                                 f"{event['request_id']}, which was answered {statuses[event['request_id']]}")
        print(f"round '{self.name}': {len(statuses)} requests recorded, {len(fuzzed)} events written by them, "
              f"{len(refused)} by a refused request", flush=True)


def count_cases(output: str) -> int:
    """The number of test cases schemathesis generated, from its summary line."""
    match = re.search(r"Test cases:\s*\n?\s*([0-9,]+)\s+generated", output)
    return int(match.group(1).replace(",", "")) if match else 0


def response_statuses(har: Path) -> dict[str, int]:
    """Request id (the server's `X-Request-Id` answer header) → HTTP status, for every request of
    the HAR file."""
    statuses: dict[str, int] = {}
    for entry in json.loads(har.read_text())["log"]["entries"]:
        response = entry["response"]
        for header in response.get("headers", []):
            if header["name"].lower() == "x-request-id":
                statuses[header["value"]] = response["status"]
    return statuses


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=DEFAULT_LEDGER,
                        help=f"the ledger binary (default: {DEFAULT_LEDGER.relative_to(REPO_ROOT)} in the repository)")
    parser.add_argument("--max-examples", type=int, default=12, help="test cases per operation and phase (default: 12)")
    parser.add_argument("--seed", type=int, default=20261122, help="schemathesis's random seed (default: 20261122)")
    # One worker: with more, hypothesis describes strategies from several threads at once, which
    # trips CPython 3.11.7's AST recursion-depth check (SystemError) now and then.
    parser.add_argument("--workers", type=int, default=1, help="concurrent schemathesis workers (default: 1)")
    parser.add_argument("--keep-reports", type=Path, metavar="DIR",
                        help="copy each round's HAR file of every request and response into DIR")
    parser.add_argument("--round-timeout", type=int, default=240, metavar="SECONDS",
                        help="stop a round's schemathesis run after this long, as a failure (default: 240)")
    parser.add_argument("--rounds", default="open,auth", help="which rounds to run: open (no --auth), auth, or both (default)")
    args = parser.parse_args()

    binary = args.ledger.expanduser().resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        print(f"error: no executable ledger binary at {binary}; build it with "
              f"'swift build --product ledger' or pass --ledger PATH", file=sys.stderr)
        return 2
    try:
        version = importlib.metadata.version("schemathesis")
    except importlib.metadata.PackageNotFoundError:
        print(f"error: schemathesis is not installed; install it with 'pip install schemathesis=={EXPECTED_SCHEMATHESIS}'",
              file=sys.stderr)
        return 2
    if version != EXPECTED_SCHEMATHESIS:
        print(f"note: schemathesis {version} is installed; this script targets {EXPECTED_SCHEMATHESIS}", file=sys.stderr)
    names = [name.strip() for name in args.rounds.split(",") if name.strip()]
    if not names or any(name not in ("open", "auth") for name in names):
        print(f"error: --rounds takes open, auth or both, got '{args.rounds}'", file=sys.stderr)
        return 2

    Signals.install()
    started = time.monotonic()
    rounds = [Round(name, binary, args) for name in names]
    try:
        for round_ in rounds:
            round_.run()
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = False
    for round_ in rounds:
        for problem in round_.problems:
            print(f"FAIL {round_.name}: {problem}", flush=True)
        failed = failed or bool(round_.problems)
        print(f"round '{round_.name}': {round_.cases} test cases, {'FAILED' if round_.problems else 'passed'}", flush=True)
    total = sum(round_.cases for round_ in rounds)
    print(f"fuzzing took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    print(f"schemathesis: {total} test cases generated, {'failures found' if failed else 'no failures'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
