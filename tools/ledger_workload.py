"""What tools/crash-test.py, tools/cli-beside-server.py and tools/full-disk.py share.

- `LedgerServer`: one `ledger serve` process on a free loopback port over a given data directory,
  started until `GET /health` answers, then killed (SIGKILL) or stopped (SIGTERM).
- `run_ledger`: one run of another `ledger` subcommand, with its status, output and duration.
- `Client`: one keep-alive HTTP connection; a request that gets no answer raises `NoAnswer`.
- `Writer`: a thread's worth of realistic MLflow mutations (workspaces, experiments, runs,
  metrics, batches, params, tags, updates, renames, deletes, restores, registered models), each on
  entities only this writer touches, with a model of what the server must hold afterwards.

The model is a set of facts, each a field of an entity with the value the last acknowledged
(2xx) mutation gave it and that mutation's request id (sent as `X-Request-Id`, so the audit trail
names it too). `Writer.verify` reads every entity back through the API and reports each fact that
differs as a lost write, and anything the model does not hold (a tag, a param, a metric point) as
a phantom one. A request that got no answer is "in flight": `Writer.resolve` reads what it would
have changed and accepts either all of it or none of it.

Python 3 standard library only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LEDGER = REPO_ROOT / ".build" / "debug" / "ledger"

HEALTH_TIMEOUT_S = 30.0  # bounded wait for GET /health after a start
STOP_TIMEOUT_S = 20.0  # SIGTERM, then SIGKILL after this
HTTP_TIMEOUT_S = 30.0  # one request; a debug build under load answers within a few seconds


class SetupError(Exception):
    """The check cannot run at all (no binary, a server that never gets healthy, no mount)."""


def check_binary(path: Path) -> Path:
    """The resolved ledger binary; `SetupError` naming the fix when it is missing."""
    binary = path.expanduser().resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise SetupError(f"no executable ledger binary at {binary}; build it with "
                         f"'swift build --product ledger' or pass --ledger PATH")
    return binary


# --------------------------------------------------------------------------------------------
# Processes


class Signals:
    """SIGTERM and SIGINT unwind the script (so servers are stopped, mounts and directories
    removed), except while a server process is being started or stopped: there they wait until
    its handle is kept or it is gone, so no server is ever left behind."""

    held = 0
    pending: int | None = None
    lock = threading.Lock()

    @classmethod
    def install(cls) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(signum) is not signal.SIG_IGN:  # a signal ignored by our parent stays so
                signal.signal(signum, cls._handler)

    @classmethod
    def _handler(cls, signum, frame):
        if cls.held:
            cls.pending = signum
            return
        raise SystemExit(128 + signum)

    @classmethod
    @contextlib.contextmanager
    def hold(cls):
        # Signal handlers run on the main thread only; other threads never hold.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        cls.held += 1
        try:
            yield
        finally:
            cls.held -= 1
            if not cls.held and cls.pending is not None:
                signum, cls.pending = cls.pending, None
                raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LedgerServer:
    """`ledger serve` over `data_dir`, on a free port picked at each start. Its output goes to
    `log_path` (appended, one header line per start)."""

    def __init__(self, binary: Path, data_dir: Path, log_path: Path, artifact_root: Path | None = None,
                 wrapper: list[str] | None = None, arguments: list[str] | None = None,
                 environment: dict[str, str] | None = None):
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.artifact_root = artifact_root or data_dir.parent / "artifacts"
        # More `ledger serve` options (such as --auth) and environment variables, beside this one's.
        self.arguments = arguments or []
        self.environment = environment or {}
        # A command that runs the server as its child (such as strace -o FILE): signals go to that child.
        self.wrapper = wrapper or []
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def log_tail(self, limit: int = 3000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no output)"
        return text[-limit:] if text else "(no output)"

    def spawn(self) -> list[str]:
        """Starts the server process on a new free port without waiting; returns its command."""
        self.port = free_port()
        command = self.wrapper + [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
                                  "--port", str(self.port), "--default-artifact-root", str(self.artifact_root)] + self.arguments
        self.starts += 1
        with Signals.hold(), open(self.log_path, "ab") as log:
            log.write(f"==> start {self.starts}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                            env={**os.environ, **self.environment}, start_new_session=True)
        return command

    def is_alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> float:
        """Starts the server and waits for `GET /health`; returns the seconds that took."""
        started = time.monotonic()
        last_error = ""
        # A port picked free can be taken before the server binds it: try a few times.
        for _ in range(3):
            command = self.spawn()
            outcome = self._wait_healthy()
            if outcome is None:
                return time.monotonic() - started
            last_error = outcome
            self.stop()
            if "address already in use" not in self.log_tail().lower():
                break
        raise SetupError(f"ledger serve did not become healthy: {last_error}\n"
                         f"command: {' '.join(command)}\n--- server output ---\n{self.log_tail()}")

    def _wait_healthy(self) -> str | None:
        """None once `GET /health` answers 200; otherwise why not."""
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                return f"the server exited with status {code} before answering /health"
            try:
                status, _ = Client(self.url, timeout=2).call("GET", "/health")
                if status == 200:
                    return None
                last = f"/health answered {status}"
            except NoAnswer as e:
                last = f"/health: {e}"
            time.sleep(0.05)
        return f"no 200 from /health within {HEALTH_TIMEOUT_S:.0f} s (last: {last})"

    def server_pid(self) -> int | None:
        """The pid of `ledger serve` itself: the process started, or its child under a wrapper."""
        if self.process is None or self.process.poll() is not None:
            return None
        if not self.wrapper:
            return self.process.pid
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                return int(entry.name)
        return None

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing of the server runs after this."""
        with Signals.hold():
            if self.process is None:
                return
            target = self.server_pid()
            if target is not None:
                os.kill(target, signal.SIGKILL)
            if self.wrapper and self.process.poll() is None:
                try:
                    self.process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not stop in time. Returns its exit status (None if
        it had to be killed or was not running)."""
        with Signals.hold():
            process = self.process
            if process is None:
                return None
            if process.poll() is not None:
                self.process = None
                return process.returncode
            target = self.server_pid()
            if target is not None:
                os.kill(target, signal.SIGTERM)
            try:
                status = process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                print(f"note: the server did not stop within {STOP_TIMEOUT_S:.0f} s of SIGTERM; killing it",
                      file=sys.stderr)
                process.kill()
                process.wait()
                status = None
            self.process = None
            return status


@dataclass
class CommandResult:
    args: list[str]
    status: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self, limit: int = 1500) -> str:
        text = f"'ledger {' '.join(self.args)}' exited {self.status} after {self.seconds:.2f} s"
        if self.stdout.strip():
            text += f"\n--- stdout:\n{self.stdout[-limit:]}"
        if self.stderr.strip():
            text += f"\n--- stderr:\n{self.stderr[-limit:]}"
        return text


def run_ledger(binary: Path, args: list[str], timeout: float = 300.0) -> CommandResult:
    """Runs `ledger ARGS` to completion (killed after `timeout`, which counts as status -9)."""
    environment = dict(os.environ)
    environment.pop("LEDGER_DATA_DIR", None)
    started = time.monotonic()
    try:
        completed = subprocess.run([str(binary)] + args, capture_output=True, stdin=subprocess.DEVNULL,
                                   timeout=timeout, env=environment)
        status, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    except subprocess.TimeoutExpired as e:
        status, stdout, stderr = -9, e.stdout or b"", (e.stderr or b"") + f"\n(killed after {timeout:.0f} s)".encode()
    return CommandResult(args, status, stdout.decode(errors="replace"), stderr.decode(errors="replace"),
                         time.monotonic() - started)


def audit_request_ids(binary: Path, data_dir: Path, extra: list[str] | None = None) -> tuple[CommandResult, set[str] | None, str | None]:
    """`ledger audit --format json` over `data_dir`: the result, the request ids of its events
    (None when it failed), and what was wrong with its output (None when it parsed)."""
    result = run_ledger(binary, ["audit", "--data-dir", str(data_dir), "--format", "json"] + (extra or []))
    if result.status != 0:
        return result, None, None
    ids: set[str] = set()
    for number, line in enumerate(result.stdout.splitlines(), 1):
        try:
            event = json.loads(line)
        except ValueError as e:
            return result, None, f"line {number} is not JSON ({e}): {line[:200]!r}"
        if not isinstance(event, dict) or not isinstance(event.get("sequence"), int) or "type" not in event:
            return result, None, f"line {number} is not an audit event: {line[:200]!r}"
        ids.add(event.get("request_id", ""))
    return result, ids, None


# --------------------------------------------------------------------------------------------
# HTTP


class NoAnswer(Exception):
    """The request got no HTTP answer: refused, reset, closed or timed out."""

    def __init__(self, message: str, sent: bool):
        super().__init__(message)
        self.sent = sent


class Client:
    """One persistent HTTP/1.1 connection to the server (not thread-safe: one per thread)."""

    def __init__(self, url: str, timeout: float = HTTP_TIMEOUT_S, user_agent: str = "ledger-workload"):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.timeout = timeout
        self.user_agent = user_agent
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def call(self, method: str, path: str, body=None, workspace: str | None = None, query: dict | None = None,
             request_id: str | None = None) -> tuple[int, object]:
        """(status, parsed JSON body or the raw text). Raises `NoAnswer` without an answer."""
        if query:
            path += "?" + urllib.parse.urlencode(query)
        headers = {"User-Agent": self.user_agent}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if workspace is not None:
            headers["X-MLFLOW-WORKSPACE"] = workspace
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        sent = False
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request(method, path, body=data, headers=headers)
            sent = True
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise NoAnswer(f"{method} {path}: {type(e).__name__}: {e}", sent) from None
        text = raw.decode(errors="replace")
        try:
            return status, json.loads(text) if text.strip() else None
        except ValueError:
            return status, text


# --------------------------------------------------------------------------------------------
# Facts: what the server must hold


class Absent:
    """The value of a field that must not exist (a deleted tag, an entity not created)."""

    def __repr__(self):
        return "absent"


ABSENT = Absent()

# A fact key is (kind, workspace, entity id or name, field...). Kinds and fields:
#   workspace: ("exists",) ("description",)
#   experiment: ("exists",) ("name",) ("lifecycle",) ("tag", key)
#   run: ("exists",) ("name",) ("status",) ("end_time",) ("lifecycle",) ("param", key) ("tag", key)
#        ("point", metric key, value, timestamp, step) -> True
#   model: ("exists",) ("description",) ("tag", key)
FactKey = tuple


@dataclass
class Fact:
    value: object
    request_id: str
    acknowledged: bool  # False: from an in-flight request found applied after a restart


class Snapshots:
    """Entities read back through the API, each read once per verification."""

    def __init__(self, client: Client):
        self.client = client
        self.entities: dict[tuple, dict | None] = {}
        self.histories: dict[tuple, list] = {}

    def _get(self, path: str, workspace: str | None, query: dict | None = None) -> dict | None:
        status, body = self.client.call("GET", path, workspace=workspace, query=query)
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict):
            raise ReadFailed(f"GET {path} {query or ''} in {workspace}: HTTP {status} {str(body)[:300]}")
        return body

    def entity(self, kind: str, workspace: str, ident: str) -> dict | None:
        key = (kind, workspace, ident)
        if key not in self.entities:
            self.entities[key] = self._read(kind, workspace, ident)
        return self.entities[key]

    def _read(self, kind: str, workspace: str, ident: str) -> dict | None:
        if kind == "workspace":
            body = self._get(f"/api/3.0/mlflow/workspaces/{ident}", None)
            return None if body is None else {"description": body["workspace"].get("description", ABSENT)}
        if kind == "experiment":
            body = self._get("/api/2.0/mlflow/experiments/get", workspace, {"experiment_id": ident})
            if body is None:
                return None
            experiment = body["experiment"]
            return {"name": experiment["name"], "lifecycle": experiment["lifecycle_stage"],
                    "tag": {t["key"]: t["value"] for t in experiment.get("tags", [])}}
        if kind == "run":
            body = self._get("/api/2.0/mlflow/runs/get", workspace, {"run_id": ident})
            if body is None:
                return None
            info, data = body["run"]["info"], body["run"].get("data", {})
            return {"name": info.get("run_name", ABSENT), "status": info["status"], "end_time": info.get("end_time", ABSENT),
                    "lifecycle": info["lifecycle_stage"],
                    "param": {p["key"]: p["value"] for p in data.get("params", [])},
                    "tag": {t["key"]: t["value"] for t in data.get("tags", [])},
                    "metric_keys": sorted({m["key"] for m in data.get("metrics", [])})}
        if kind == "model":
            body = self._get("/api/2.0/mlflow/registered-models/get", workspace, {"name": ident})
            if body is None:
                return None
            model = body["registered_model"]
            return {"description": model.get("description", ABSENT), "tag": {t["key"]: t["value"] for t in model.get("tags", [])}}
        raise ValueError(kind)

    def history(self, workspace: str, run_id: str, metric: str) -> list:
        key = (workspace, run_id, metric)
        if key not in self.histories:
            body = self._get("/api/2.0/mlflow/metrics/get-history", workspace, {"run_id": run_id, "metric_key": metric})
            points = [] if body is None else body.get("metrics", [])
            self.histories[key] = sorted((float(p["value"]), int(p["timestamp"]), int(p.get("step", 0))) for p in points)
        return self.histories[key]

    def observe(self, key: FactKey):
        """What the server holds for one fact key (ABSENT when it holds nothing there)."""
        kind, workspace, ident, name, *rest = key
        snapshot = self.entity(kind, workspace, ident)
        if snapshot is None:
            return ABSENT
        if name == "exists":
            return True
        if name == "point":
            metric, value, timestamp, step = rest
            return True if (value, timestamp, step) in self.history(workspace, ident, metric) else ABSENT
        if name in ("tag", "param"):
            return snapshot[name].get(rest[0], ABSENT)
        return snapshot[name]

    def forget(self, kind: str, workspace: str, ident: str) -> None:
        self.entities.pop((kind, workspace, ident), None)
        for key in [k for k in self.histories if k[0] == workspace and k[1] == ident]:
            del self.histories[key]


class ReadFailed(Exception):
    """A read-back request failed (not a 200 or a 404)."""


# --------------------------------------------------------------------------------------------
# Operations


@dataclass
class Operation:
    """One mutation: its request, and what it changes once applied.

    `effects(answer)` gives the facts the mutation sets, from its answer (a create learns its id
    there). A create whose answer never came is found by name instead (`locate`)."""

    kind: str
    method: str
    path: str
    body: dict | None
    workspace: str | None
    request_id: str
    expected_status: int = 200
    effects: object = None  # callable(answer) -> list[(FactKey, value)]
    locate: object = None  # callable(Snapshots) -> answer-like dict, or None when absent; creates only
    applied: object = None  # callable(answer) -> None: bookkeeping of the writer's entities
    before: dict = field(default_factory=dict)  # FactKey -> value before, for updates


@dataclass
class Problem:
    what: str  # "lost", "phantom", "partial", "id-reused", "refused", "no-answer", "read-failed"
    message: str
    request_id: str = ""


@dataclass
class InFlight:
    operation: Operation
    error: str
    sent: bool


class Writer:
    """Mutations on entities of its own, with the facts they must leave on the server.

    One writer's state lives across server restarts; `run` is called once per round on a new
    thread with a new connection. Entities: a workspace or two of its own (plus `default`),
    experiments, runs, registered models."""

    STATUSES = ["RUNNING", "FINISHED", "FAILED", "KILLED"]
    METRICS = ["loss", "accuracy", "lr"]
    RUN_TAGS = ["phase", "note", "owner"]
    EXPERIMENT_TAGS = ["team", "stage", "note"]

    # (weight, method name). Run data dominates, as in real tracking traffic.
    MIX = [
        (24, "log_metric"), (14, "log_batch"), (7, "log_param"), (7, "set_run_tag"), (3, "delete_run_tag"),
        (4, "update_run"), (2, "delete_or_restore_run"), (6, "create_run"),
        (4, "create_experiment"), (3, "rename_experiment"), (4, "set_experiment_tag"), (2, "delete_or_restore_experiment"),
        (2, "create_model"), (2, "set_model_tag"), (2, "update_model"),
        (1, "create_workspace"), (1, "update_workspace"),
    ]

    def __init__(self, index: int, seed: int, registry: "IdRegistry", label: str = "w", max_workspaces: int = 2,
                 filler: int = 0, readable_request_ids: bool = False):
        self.index = index
        self.rng = random.Random(f"{seed}-{label}-{index}")
        self.registry = registry
        self.label = f"{label}{index}"
        self.max_workspaces = max_workspaces
        self.filler = "f" * filler  # padding for each new tag value: fills a disk faster
        # Hexadecimal request ids are stored packed; readable ones as text, found in a trace of
        # the bytes written.
        self.readable_request_ids = readable_request_ids
        self.requests = 0
        self.counter = 0
        self.facts: dict[FactKey, Fact] = {}
        self.workspaces: list[str] = ["default"]
        self.experiments: list[tuple[str, str]] = []  # (workspace, id)
        self.runs: list[tuple[str, str]] = []  # (workspace, run id)
        self.models: list[tuple[str, str]] = []  # (workspace, name)
        self.acknowledged = 0
        # (request id, operation kind, X-MLFLOW-WORKSPACE sent) of each acknowledged write, in order.
        self.acknowledged_log: list[tuple[str, str, str | None]] = []
        self.applied_in_flight_ids: list[str] = []
        self.absent_in_flight_ids: list[str] = []
        self.refused = 0
        self.problems: list[Problem] = []
        self.in_flight: InFlight | None = None
        self.lock = threading.Lock()  # guards the counters and lists others read while it runs

    @property
    def acknowledged_ids(self) -> list[str]:
        with self.lock:
            return [rid for rid, _, _ in self.acknowledged_log]

    # -- helpers -----------------------------------------------------------------------------

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.label}-{self.counter}"

    def value(self, kind: str, workspace: str, ident: str, *name) -> object:
        fact = self.facts.get((kind, workspace, ident) + tuple(name))
        return ABSENT if fact is None else fact.value

    def active_experiments(self) -> list[tuple[str, str]]:
        return [e for e in self.experiments if self.value("experiment", *e, "lifecycle") == "active"]

    def active_runs(self) -> list[tuple[str, str]]:
        return [r for r in self.runs if self.value("run", *r, "lifecycle") == "active"]

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def request_id(self) -> str:
        self.requests += 1
        if self.readable_request_ids:
            return f"request-{self.label}-{self.requests}-of-the-workload"
        return uuid.UUID(int=self.rng.getrandbits(128)).hex

    def tag_value(self) -> str:
        return self.unique("v") + self.filler

    # -- the mix -----------------------------------------------------------------------------

    def next_operation(self) -> Operation:
        while True:
            name = self.rng.choices([m for _, m in self.MIX], weights=[w for w, _ in self.MIX])[0]
            operation = getattr(self, name)()
            if operation is not None:
                return operation

    def update(self, kind: str, workspace: str, ident: str, changes: dict, method: str, path: str, body: dict,
               header_workspace: str | None) -> Operation:
        """An operation that sets `changes` ({field tuple: new value}) on an existing entity."""
        keys = {(kind, workspace, ident) + name: value for name, value in changes.items()}
        return Operation(kind=path.rsplit("/", 1)[-1], method=method, path=path, body=body, workspace=header_workspace,
                         request_id=self.request_id(), effects=lambda answer: list(keys.items()),
                         before={key: self.value(*key) for key in keys})

    def create_workspace(self) -> Operation | None:
        if len(self.workspaces) > self.max_workspaces:
            return None
        name = self.unique("ws")
        description = self.unique("d")

        def applied(answer):
            self.workspaces.append(name)
        return Operation(kind="create-workspace", method="POST", path="/api/3.0/mlflow/workspaces",
                         body={"name": name, "description": description}, workspace=None, request_id=self.request_id(),
                         expected_status=201,
                         effects=lambda answer: [(("workspace", "", name, "exists"), True),
                                                 (("workspace", "", name, "description"), description)],
                         locate=lambda snapshots: {} if snapshots.entity("workspace", "", name) is not None else None,
                         applied=applied)

    def update_workspace(self) -> Operation | None:
        own = self.workspaces[1:]
        if not own:
            return None
        name = self.rng.choice(own)
        description = self.unique("d")
        return self.update("workspace", "", name, {("description",): description}, "PATCH",
                           f"/api/3.0/mlflow/workspaces/{name}", {"description": description}, None)

    def create_experiment(self) -> Operation | None:
        if len(self.experiments) > 6 + self.counter // 200:
            return None
        workspace = self.rng.choice(self.workspaces)
        name = self.unique("exp")
        tags = {key: self.tag_value() for key in self.rng.sample(self.EXPERIMENT_TAGS, self.rng.randint(0, 2))}

        def effects(answer):
            ident = answer["experiment_id"]
            return ([(("experiment", workspace, ident, "exists"), True), (("experiment", workspace, ident, "name"), name),
                     (("experiment", workspace, ident, "lifecycle"), "active")]
                    + [(("experiment", workspace, ident, "tag", k), v) for k, v in tags.items()])

        def locate(snapshots):
            status, body = snapshots.client.call("GET", "/api/2.0/mlflow/experiments/get-by-name", workspace=workspace,
                                                 query={"experiment_name": name})
            if status == 404:
                return None
            if status != 200:
                raise ReadFailed(f"get-by-name {name}: HTTP {status} {str(body)[:300]}")
            return {"experiment_id": body["experiment"]["experiment_id"]}

        def applied(answer):
            self.experiments.append((workspace, answer["experiment_id"]))
        return Operation(kind="create-experiment", method="POST", path="/api/2.0/mlflow/experiments/create",
                         body={"name": name, "tags": [{"key": k, "value": v} for k, v in tags.items()]},
                         workspace=workspace, request_id=self.request_id(), effects=effects, locate=locate, applied=applied)

    def rename_experiment(self) -> Operation | None:
        experiments = self.active_experiments()  # a deleted experiment is restored before it changes
        if not experiments:
            return None
        workspace, ident = self.rng.choice(experiments)
        name = self.unique("exp") + "-renamed"
        return self.update("experiment", workspace, ident, {("name",): name}, "POST", "/api/2.0/mlflow/experiments/update",
                           {"experiment_id": ident, "new_name": name}, workspace)

    def set_experiment_tag(self) -> Operation | None:
        experiments = self.active_experiments()
        if not experiments:
            return None
        workspace, ident = self.rng.choice(experiments)
        key, value = self.rng.choice(self.EXPERIMENT_TAGS), self.tag_value()
        return self.update("experiment", workspace, ident, {("tag", key): value}, "POST",
                           "/api/2.0/mlflow/experiments/set-experiment-tag", {"experiment_id": ident, "key": key, "value": value}, workspace)

    def delete_or_restore_experiment(self) -> Operation | None:
        if len(self.experiments) < 2:
            return None
        workspace, ident = self.rng.choice(self.experiments)
        deleting = self.value("experiment", workspace, ident, "lifecycle") == "active"
        return self.update("experiment", workspace, ident, {("lifecycle",): "deleted" if deleting else "active"}, "POST",
                           f"/api/2.0/mlflow/experiments/{'delete' if deleting else 'restore'}", {"experiment_id": ident}, workspace)

    def create_run(self) -> Operation | None:
        experiments = self.active_experiments()
        if not experiments or len(self.active_runs()) > 12 + self.counter // 100:
            return None
        workspace, experiment = self.rng.choice(experiments)
        name = self.unique("run")
        start = self.now_ms()
        tags = {key: self.tag_value() for key in self.rng.sample(self.RUN_TAGS, self.rng.randint(0, 2))}

        def effects(answer):
            ident = answer["run"]["info"]["run_id"]
            return ([(("run", workspace, ident, "exists"), True), (("run", workspace, ident, "name"), name),
                     (("run", workspace, ident, "status"), "RUNNING"), (("run", workspace, ident, "lifecycle"), "active")]
                    + [(("run", workspace, ident, "tag", k), v) for k, v in tags.items()])

        def locate(snapshots):
            status, body = snapshots.client.call("POST", "/api/2.0/mlflow/runs/search", workspace=workspace,
                                                 body={"experiment_ids": [experiment], "run_view_type": "ALL", "max_results": 1000})
            if status != 200 or not isinstance(body, dict):
                raise ReadFailed(f"runs/search in {experiment}: HTTP {status} {str(body)[:300]}")
            found = [r for r in body.get("runs", []) if r["info"].get("run_name") == name]
            if len(found) > 1:
                raise ReadFailed(f"{len(found)} runs named {name} in experiment {experiment}")
            return {"run": found[0]} if found else None

        def applied(answer):
            self.runs.append((workspace, answer["run"]["info"]["run_id"]))
        return Operation(kind="create-run", method="POST", path="/api/2.0/mlflow/runs/create",
                         body={"experiment_id": experiment, "run_name": name, "start_time": start,
                               "tags": [{"key": k, "value": v} for k, v in tags.items()]},
                         workspace=workspace, request_id=self.request_id(), effects=effects, locate=locate, applied=applied)

    def pick_run(self) -> tuple[str, str] | None:
        runs = self.active_runs()
        if not runs:
            return None
        # Recent runs get most of the traffic, as in training loops.
        return runs[-1 - min(int(self.rng.expovariate(0.5)), len(runs) - 1)]

    def metric_point(self) -> tuple[str, float, int, int]:
        self.counter += 1
        # Unique per writer and exactly representable, so a point is found by its value.
        return self.rng.choice(self.METRICS), self.index * 1_000_000 + self.counter + 0.25, self.now_ms(), self.counter

    def log_metric(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        key, value, timestamp, step = self.metric_point()
        return self.update("run", workspace, ident, {("point", key, value, timestamp, step): True}, "POST",
                           "/api/2.0/mlflow/runs/log-metric",
                           {"run_id": ident, "key": key, "value": value, "timestamp": timestamp, "step": step}, workspace)

    def log_batch(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        points = [self.metric_point() for _ in range(self.rng.randint(1, 5))]
        params = {self.unique("p"): self.unique("pv") for _ in range(self.rng.randint(0, 3))}
        tags = {key: self.tag_value() for key in self.rng.sample(self.RUN_TAGS, self.rng.randint(0, 2))}
        changes = {("point", k, v, t, s): True for k, v, t, s in points}
        changes.update({("param", k): v for k, v in params.items()})
        changes.update({("tag", k): v for k, v in tags.items()})
        return self.update("run", workspace, ident, changes, "POST", "/api/2.0/mlflow/runs/log-batch", {
            "run_id": ident,
            "metrics": [{"key": k, "value": v, "timestamp": t, "step": s} for k, v, t, s in points],
            "params": [{"key": k, "value": v} for k, v in params.items()],
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }, workspace)

    def log_param(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        key, value = self.unique("p"), self.unique("pv")
        return self.update("run", workspace, ident, {("param", key): value}, "POST", "/api/2.0/mlflow/runs/log-parameter",
                           {"run_id": ident, "key": key, "value": value}, workspace)

    def set_run_tag(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        key, value = self.rng.choice(self.RUN_TAGS), self.tag_value()
        return self.update("run", workspace, ident, {("tag", key): value}, "POST", "/api/2.0/mlflow/runs/set-tag",
                           {"run_id": ident, "key": key, "value": value}, workspace)

    def delete_run_tag(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        present = [k for k in self.RUN_TAGS if self.value("run", workspace, ident, "tag", k) is not ABSENT]
        if not present:
            return None
        key = self.rng.choice(present)
        return self.update("run", workspace, ident, {("tag", key): ABSENT}, "POST", "/api/2.0/mlflow/runs/delete-tag",
                           {"run_id": ident, "key": key}, workspace)

    def update_run(self) -> Operation | None:
        run = self.pick_run()
        if run is None:
            return None
        workspace, ident = run
        current = self.value("run", workspace, ident, "status")
        status = self.rng.choice([s for s in self.STATUSES if s != current])
        end_time = self.now_ms() + self.counter
        name = self.unique("run") + "-updated"
        return self.update("run", workspace, ident, {("status",): status, ("end_time",): end_time, ("name",): name}, "POST",
                           "/api/2.0/mlflow/runs/update", {"run_id": ident, "status": status, "end_time": end_time, "run_name": name},
                           workspace)

    def delete_or_restore_run(self) -> Operation | None:
        if len(self.runs) < 3:
            return None
        workspace, ident = self.rng.choice(self.runs)
        deleting = self.value("run", workspace, ident, "lifecycle") == "active"
        return self.update("run", workspace, ident, {("lifecycle",): "deleted" if deleting else "active"}, "POST",
                           f"/api/2.0/mlflow/runs/{'delete' if deleting else 'restore'}", {"run_id": ident}, workspace)

    def create_model(self) -> Operation | None:
        if len(self.models) > 3 + self.counter // 400:
            return None
        workspace = self.rng.choice(self.workspaces)
        name = self.unique("model")
        description = self.unique("d")
        tags = {key: self.tag_value() for key in self.rng.sample(self.EXPERIMENT_TAGS, self.rng.randint(0, 2))}

        def applied(answer):
            self.models.append((workspace, name))
        return Operation(kind="create-model", method="POST", path="/api/2.0/mlflow/registered-models/create",
                         body={"name": name, "description": description, "tags": [{"key": k, "value": v} for k, v in tags.items()]},
                         workspace=workspace, request_id=self.request_id(),
                         effects=lambda answer: ([(("model", workspace, name, "exists"), True),
                                                  (("model", workspace, name, "description"), description)]
                                                 + [(("model", workspace, name, "tag", k), v) for k, v in tags.items()]),
                         locate=lambda snapshots: {} if snapshots.entity("model", workspace, name) is not None else None,
                         applied=applied)

    def set_model_tag(self) -> Operation | None:
        if not self.models:
            return None
        workspace, name = self.rng.choice(self.models)
        key, value = self.rng.choice(self.EXPERIMENT_TAGS), self.tag_value()
        return self.update("model", workspace, name, {("tag", key): value}, "POST", "/api/2.0/mlflow/registered-models/set-tag",
                           {"name": name, "key": key, "value": value}, workspace)

    def update_model(self) -> Operation | None:
        if not self.models:
            return None
        workspace, name = self.rng.choice(self.models)
        description = self.unique("d")
        return self.update("model", workspace, name, {("description",): description}, "PATCH",
                           "/api/2.0/mlflow/registered-models/update", {"name": name, "description": description}, workspace)

    # -- running -----------------------------------------------------------------------------

    def apply(self, operation: Operation, answer, acknowledged: bool) -> None:
        for key, value in operation.effects(answer):
            if value is ABSENT:
                self.facts.pop(key, None)
            else:
                self.facts[key] = Fact(value, operation.request_id, acknowledged)
        if operation.applied is not None:
            operation.applied(answer)

    def run(self, url: str, stop: threading.Event, on_refusal=None, max_operations: int | None = None) -> None:
        """Sends mutations until `stop` is set, `max_operations` were answered, or a request gets no
        answer (then `in_flight`).

        An answer other than the expected 2xx is a "refused" problem, unless
        `on_refusal(operation, status, body)` returns True: then it was expected, and the writer
        stops."""
        client = Client(url, user_agent=f"ledger-workload/{self.label}")
        sent = 0
        try:
            while not stop.is_set() and (max_operations is None or sent < max_operations):
                sent += 1
                operation = self.next_operation()
                try:
                    status, body = client.call(operation.method, operation.path, body=operation.body,
                                               workspace=operation.workspace, request_id=operation.request_id)
                except NoAnswer as e:
                    with self.lock:
                        self.in_flight = InFlight(operation, str(e), e.sent)
                    return
                if status == operation.expected_status:
                    if operation.kind in ("create-experiment", "create-run"):
                        ident = body["experiment_id"] if operation.kind == "create-experiment" else body["run"]["info"]["run_id"]
                        self.check_new_id(operation.kind.split("-")[1], ident, operation.request_id)
                    with self.lock:
                        self.apply(operation, body, acknowledged=True)
                        self.acknowledged += 1
                        self.acknowledged_log.append((operation.request_id, operation.kind, operation.workspace))
                else:
                    if on_refusal is not None and on_refusal(operation, status, body):
                        return
                    with self.lock:
                        self.refused += 1
                        self.problems.append(Problem("refused", f"{operation.method} {operation.path} {json.dumps(operation.body)[:200]} "
                                                                f"in {operation.workspace}: expected HTTP {operation.expected_status}, "
                                                                f"got {status} {str(body)[:300]}", operation.request_id))
        finally:
            client.close()

    def check_new_id(self, kind: str, ident: str, request_id: str) -> None:
        owner = self.registry.claim(kind, ident, request_id)
        if owner is not None:
            with self.lock:
                self.problems.append(Problem("id-reused", f"{kind} id {ident} answered to request {request_id} was "
                                                          f"already given to request {owner}", request_id))

    # -- after a restart ---------------------------------------------------------------------

    def resolve(self, client: Client) -> str | None:
        """Decides the in-flight request, if any: applied (all its effects present) or absent (none).

        Returns "applied", "absent" or None (nothing in flight); a partial or foreign state is a
        problem."""
        if self.in_flight is None:
            return None
        operation = self.in_flight.operation
        self.in_flight = None
        snapshots = Snapshots(client)
        try:
            if operation.locate is not None:
                answer = operation.locate(snapshots)
                if answer is None:
                    self.absent_in_flight_ids.append(operation.request_id)
                    return "absent"
                effects = operation.effects(answer)
                if operation.kind in ("create-experiment", "create-run"):
                    ident = answer["experiment_id"] if operation.kind == "create-experiment" else answer["run"]["info"]["run_id"]
                    self.check_new_id(operation.kind.split("-")[1], ident, operation.request_id)
                before = {}  # nothing of a create exists before it
            else:
                answer = {}
                effects = operation.effects(answer)
                before = operation.before
            states = []
            for key, new in effects:
                observed = snapshots.observe(key)
                old = before.get(key, ABSENT)
                if observed == new:
                    states.append("after" if new != old else "either")
                elif observed == old:
                    states.append("before")
                else:
                    self.problems.append(Problem("partial", f"in-flight {operation.kind} {operation.request_id}: {describe(key)} is "
                                                            f"{observed!r}, neither before ({old!r}) nor after ({new!r})", operation.request_id))
                    return "partial"
            if "after" in states and "before" in states:
                detail = ", ".join(f"{describe(k)}: {s}" for (k, _), s in zip(effects, states))
                self.problems.append(Problem("partial", f"in-flight {operation.kind} {operation.request_id} half applied ({detail})",
                                             operation.request_id))
                return "partial"
            if "after" in states or operation.locate is not None:
                self.apply(operation, answer, acknowledged=False)
                self.applied_in_flight_ids.append(operation.request_id)
                return "applied"
            self.absent_in_flight_ids.append(operation.request_id)
            return "absent"
        except (ReadFailed, NoAnswer) as e:
            self.problems.append(Problem("read-failed", f"resolving in-flight {operation.kind} {operation.request_id}: {e}",
                                         operation.request_id))
            return "partial"

    def verify(self, client: Client) -> tuple[int, list[Problem]]:
        """Reads every fact back; returns how many were checked and the problems: lost facts
        (with the request that set them) and phantom ones (held by the server, not by the model)."""
        snapshots = Snapshots(client)
        problems: list[Problem] = []
        checked = 0
        try:
            for key, fact in list(self.facts.items()):
                observed = snapshots.observe(key)
                checked += 1
                if observed != fact.value:
                    origin = "acknowledged" if fact.acknowledged else "in-flight, found applied after an earlier restart"
                    problems.append(Problem("lost", f"{describe(key)}: expected {fact.value!r} ({origin} request "
                                                    f"{fact.request_id}), the server has {observed!r}", fact.request_id))
            problems += self.phantoms(snapshots)
        except (ReadFailed, NoAnswer) as e:
            problems.append(Problem("read-failed", f"reading back {self.label}'s entities: {e}"))
        return checked, problems

    def phantoms(self, snapshots: Snapshots) -> list[Problem]:
        """Tags, params and metric points the server holds on this writer's entities that no
        applied request set."""
        problems = []
        for kind, workspace, ident in [("experiment",) + e for e in self.experiments] + [("run",) + r for r in self.runs] + \
                                      [("model",) + m for m in self.models]:
            snapshot = snapshots.entity(kind, workspace, ident)
            if snapshot is None:
                continue
            for name in ("tag", "param"):
                for key in snapshot.get(name, {}):
                    if (kind, workspace, ident, name, key) not in self.facts:
                        problems.append(Problem("phantom", f"{kind} {ident} in {workspace} has {name} {key!r}="
                                                           f"{snapshot[name][key][:80]!r} that no applied request set"))
            if kind == "run":
                expected: dict[str, list] = {}
                for key in self.facts:
                    if key[:3] == (kind, workspace, ident) and key[3] == "point":
                        expected.setdefault(key[4], []).append(tuple(key[5:]))
                for metric in sorted(set(expected) | set(snapshot["metric_keys"])):
                    history = snapshots.history(workspace, ident, metric)
                    extra = sorted(set(history) - set(expected.get(metric, [])))
                    duplicates = len(history) - len(set(history))
                    if extra or duplicates:
                        problems.append(Problem("phantom", f"run {ident} in {workspace}: metric {metric!r} holds "
                                                           f"{len(extra)} point(s) no applied request logged {extra[:3]} "
                                                           f"and {duplicates} duplicate(s)"))
        return problems


def describe(key: FactKey) -> str:
    kind, workspace, ident, name, *rest = key
    where = f" in {workspace}" if workspace else ""
    if name == "point":
        return f"{kind} {ident}{where} metric {rest[0]!r} point (value {rest[1]}, timestamp {rest[2]}, step {rest[3]})"
    if rest:
        return f"{kind} {ident}{where} {name} {rest[0]!r}"
    return f"{kind} {ident}{where} {name}"


class IdRegistry:
    """Every experiment and run id the server answered, across restarts: none may come twice."""

    def __init__(self):
        self.lock = threading.Lock()
        self.owners: dict[tuple[str, str], str] = {("experiment", "0"): "(the default experiment)"}

    def claim(self, kind: str, ident: str, request_id: str) -> str | None:
        """Records `ident` for `request_id`; returns the earlier request's id if it was taken."""
        with self.lock:
            owner = self.owners.get((kind, ident))
            if owner is not None and owner != request_id:
                return owner
            self.owners[(kind, ident)] = request_id
            return None


def read_back(url: str, writers: list) -> list:
    """Every writer's facts read back through the API, each writer on its own thread and
    connection: per writer, `(checked, problems)` of `Writer.verify`, or the exception that
    stopped it."""
    def verify(writer):
        client = Client(url)
        try:
            return writer.verify(client)
        finally:
            client.close()
    return run_parallel(verify, writers, name="verifier")


def run_parallel(function, items: list, name: str = "worker") -> list:
    """`function(item)` for each item on its own thread; the results in order. An exception in a
    thread is returned in place of its result."""
    results: list = [None] * len(items)

    def target(index, item):
        try:
            results[index] = function(item)
        except Exception as e:  # noqa: BLE001 - reported by the caller
            results[index] = e
    threads = [threading.Thread(target=target, args=(i, item), name=f"{name}-{i}", daemon=True) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
