#!/usr/bin/env python3
"""Conformance check of `ledger serve` against the real MLflow Python client.

Starts `ledger serve` on a free loopback port over a fresh temporary data directory, drives it
with the real `mlflow` client (3.17.2) through the whole "Getting Started with Workspaces" flow,
plus plain-HTTP checks of the workspace header and of what the server must refuse, then stops the
server and removes the directory.

It installs nothing and builds nothing: the client must already be installed
(`pip install mlflow-skinny==3.17.2`) and the binary built (`swift build --product ledger`).

Usage:
    python3 tools/conformance.py [--ledger PATH] [--verbose]

Output: one `PASS name` or `FAIL name: reason` line per check, then `N passed, N failed` alone on
a line. Exit code 0 when every check passed, 1 when one failed, 2 when it could not run at all
(missing binary or client, server that does not start).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LEDGER = REPO_ROOT / ".build" / "debug" / "ledger"
EXPECTED_MLFLOW = "3.17.2"

HEALTH_TIMEOUT_S = 30.0  # bounded wait for GET /health after start
STOP_TIMEOUT_S = 10.0  # SIGTERM, then SIGKILL after this
HTTP_TIMEOUT_S = 10  # every plain-HTTP request
CLIENT_TIMEOUT_S = "10"  # every request of the mlflow client
QUICK_S = 5.0  # a refusal that would be retried by the client must surface faster than this
BUDGET_S = 90.0  # checks not started by then fail as not run, so the script ends well under 2 minutes

# What the real client needs to fail fast and stay quiet (reference §2.5). Set before importing
# mlflow; a workspace or tracking URI left in the environment would change what it sends.
CLIENT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": CLIENT_TIMEOUT_S,
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
CLEARED_ENV = ["MLFLOW_WORKSPACE", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_WORKSPACE_STORE_URI",
               "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID", "MLFLOW_TRACKING_USERNAME",
               "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"]


class SetupError(Exception):
    """The checks cannot run at all (no binary, no client, no server)."""


class CheckFailed(AssertionError):
    pass


# --------------------------------------------------------------------------------------------
# The server process


class Signals:
    """SIGTERM and SIGINT unwind the script (so the server is stopped and the directory removed),
    except while the server process is being started or stopped: there they wait until its handle
    is kept or it is gone, so no server is ever left behind."""

    held = 0
    pending: int | None = None

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
    """`ledger serve` on a free port over a temporary data directory; `stop()` always cleans up."""

    def __init__(self, binary: Path):
        self.binary = binary
        self.tmp = Path(tempfile.mkdtemp(prefix="ledger-conformance-"))
        self.data_dir = self.tmp / "data"
        self.artifacts = self.tmp / "artifacts"
        self.stdout_path = self.tmp / "server.stdout"
        self.stderr_path = self.tmp / "server.stderr"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr_tail(self, limit: int = 4000) -> str:
        text = ""
        for path in (self.stderr_path, self.stdout_path):
            try:
                text += path.read_text(errors="replace")
            except OSError:
                pass
        return text[-limit:] if text else "(no output)"

    def start(self) -> None:
        # A port picked free can be taken before the server binds it: try a few times.
        last_error = ""
        for _ in range(3):
            self.port = free_port()
            command = [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
                       "--port", str(self.port), "--default-artifact-root", str(self.artifacts)]
            with Signals.hold(), open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
            outcome = self._wait_healthy()
            if outcome is None:
                return
            last_error = outcome
            self._terminate()
            if "address already in use" not in self.stderr_tail().lower():
                break
        raise SetupError(f"ledger serve did not become healthy: {last_error}\n"
                         f"command: {' '.join(command)}\n--- server output ---\n{self.stderr_tail()}")

    def _wait_healthy(self) -> str | None:
        """None once `GET /health` answers 200; otherwise why not."""
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                return f"the server exited with status {code} before answering /health"
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return None
                    last = f"/health answered {response.status}"
            except urllib.error.HTTPError as e:
                last = f"/health answered {e.code}"
            except (urllib.error.URLError, OSError) as e:
                last = f"/health: {e}"
            time.sleep(0.1)
        return f"no 200 from /health within {HEALTH_TIMEOUT_S:.0f} s (last: {last})"

    def _terminate(self) -> None:
        with Signals.hold():
            process = self.process
            if process is None or process.poll() is not None:
                self.process = None
                return
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                print(f"note: the server did not stop within {STOP_TIMEOUT_S:.0f} s of SIGTERM; killing it",
                      file=sys.stderr)
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)
            self.process = None

    def stop(self) -> None:
        with Signals.hold():
            try:
                self._terminate()
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Plain HTTP


class HTTP:
    def __init__(self, base: str):
        self.base = base

    def request(self, method: str, path: str, body=None, workspace: str | None = None,
                headers: dict | None = None) -> tuple[int, dict | None, str]:
        """(status, parsed JSON or None, raw text). Never raises on an HTTP error status."""
        data = None
        all_headers = {"User-Agent": "ledger-conformance"}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if workspace is not None:
            all_headers["X-MLFLOW-WORKSPACE"] = workspace
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        text = raw.decode(errors="replace")
        try:
            parsed = json.loads(text) if text.strip() else None
        except ValueError:
            parsed = None
        return status, parsed, text


# --------------------------------------------------------------------------------------------
# Assertions


def check(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def expect_equal(actual, expected, what: str) -> None:
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def expect_status(result, status: int, error_code: str | None = None, what: str = "") -> dict | None:
    got, body, text = result
    label = f"{what}: " if what else ""
    if got != status:
        raise CheckFailed(f"{label}expected HTTP {status}, got {got} {text[:300]!r}")
    if error_code is not None:
        code = body.get("error_code") if isinstance(body, dict) else None
        if code != error_code:
            raise CheckFailed(f"{label}expected error_code {error_code}, got {code!r} in {text[:300]!r}")
        if not (isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]):
            raise CheckFailed(f"{label}error without a message: {text[:300]!r}")
    return body


def expect_mlflow_error(call, error_code: str, *, server_side: bool = True, within: float | None = None,
                        what: str = "") -> Exception:
    """The call raises an MlflowException with `error_code`. A server-side refusal carries the code
    in its text ("CODE: message", reference §2.3); a client-side one only the message."""
    from mlflow.exceptions import MlflowException

    label = f"{what}: " if what else ""
    started = time.monotonic()
    try:
        call()
    except MlflowException as e:
        elapsed = time.monotonic() - started
        if e.error_code != error_code:
            raise CheckFailed(f"{label}expected {error_code}, got {e.error_code}: {e}")
        if server_side and error_code not in str(e):
            raise CheckFailed(f"{label}the error does not come from the server (no {error_code} in {str(e)!r})")
        if within is not None and elapsed > within:
            raise CheckFailed(f"{label}took {elapsed:.1f} s to fail (limit {within:.0f} s): the client retried?")
        return e
    raise CheckFailed(f"{label}expected MlflowException {error_code}, but the call succeeded")


# --------------------------------------------------------------------------------------------
# The checks


class Conformance:
    """The checks, in order. Later checks use what earlier ones created; names are distinct so a
    failed step makes the checks depending on it fail with a clear reason rather than crash."""

    def __init__(self, server: LedgerServer):
        import mlflow
        from mlflow import MlflowClient

        self.mlflow = mlflow
        self.http = HTTP(server.url)
        mlflow.set_tracking_uri(server.url)
        mlflow.set_registry_uri(server.url)
        mlflow.set_workspace(None)
        self.client = MlflowClient(tracking_uri=server.url, registry_uri=server.url)
        self.ids: dict[str, str] = {}
        self.results: list[tuple[str, str | None]] = []

    def in_workspace(self, name: str | None):
        self.mlflow.set_workspace(name)

    # -- the flow ---------------------------------------------------------------------------

    def test_health(self):
        body = expect_status(self.http.request("GET", "/health"), 200, what="GET /health")
        check(isinstance(body, dict), "GET /health: not a JSON object")

    def test_server_info(self):
        for prefix in ("/api", "/ajax-api"):
            body = expect_status(self.http.request("GET", f"{prefix}/3.0/mlflow/server-info"), 200,
                                 what=f"{prefix}/3.0/mlflow/server-info")
            check(isinstance(body, dict) and body.get("workspaces_enabled") is True,
                  f"{prefix}/3.0/mlflow/server-info: workspaces_enabled is not true in {body!r}")

    def test_default_workspace(self):
        workspace = self.mlflow.get_workspace("default")
        expect_equal(workspace.name, "default", "get_workspace('default').name")
        names = [w.name for w in self.mlflow.list_workspaces()]
        check("default" in names, f"list_workspaces() lacks 'default': {names}")

    def test_create_workspaces(self):
        a = self.mlflow.create_workspace("team-a", description="Workspace for Team A")
        expect_equal((a.name, a.description), ("team-a", "Workspace for Team A"), "create_workspace('team-a')")
        b = self.mlflow.create_workspace("team-b", description="Workspace for Team B")
        expect_equal((b.name, b.description), ("team-b", "Workspace for Team B"), "create_workspace('team-b')")

    def test_create_duplicate_workspace_refused(self):
        expect_mlflow_error(lambda: self.mlflow.create_workspace("team-a"), "RESOURCE_ALREADY_EXISTS",
                            what="create_workspace('team-a') again")
        status, body, text = self.http.request("POST", "/api/3.0/mlflow/workspaces", {"name": "team-a"})
        expect_status((status, body, text), 400, "RESOURCE_ALREADY_EXISTS", "POST workspaces team-a again")

    def test_list_workspaces(self):
        workspaces = {w.name: w for w in self.mlflow.list_workspaces()}
        for name in ("default", "team-a", "team-b"):
            check(name in workspaces, f"list_workspaces() lacks {name!r}: {sorted(workspaces)}")
        expect_equal(workspaces["team-a"].description, "Workspace for Team A", "listed team-a description")
        names = list(workspaces)
        expect_equal(names, sorted(names), "list_workspaces() order")

    def test_get_workspace(self):
        workspace = self.mlflow.get_workspace("team-a")
        expect_equal((workspace.name, workspace.description), ("team-a", "Workspace for Team A"), "get_workspace('team-a')")

    def test_get_unknown_workspace(self):
        expect_mlflow_error(lambda: self.mlflow.get_workspace("nope-x"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_workspace('nope-x')")

    def test_update_workspace(self):
        updated = self.mlflow.update_workspace("team-a", description="Team A, updated")
        expect_equal(updated.description, "Team A, updated", "update_workspace description (response)")
        expect_equal(self.mlflow.get_workspace("team-a").description, "Team A, updated", "description after update")
        root = "s3://bucket/team-a"
        updated = self.mlflow.update_workspace("team-a", default_artifact_root=root)
        expect_equal((updated.description, updated.default_artifact_root), ("Team A, updated", root),
                     "update_workspace default_artifact_root (description kept)")
        cleared = self.mlflow.update_workspace("team-a", default_artifact_root="")
        expect_equal(cleared.default_artifact_root, None, "default_artifact_root after clearing with ''")
        status, body, text = self.http.request("PATCH", "/api/3.0/mlflow/workspaces/team-a",
                                               {"default_artifact_root": "relative/path"})
        expect_status((status, body, text), 400, "INVALID_PARAMETER_VALUE", "PATCH a relative default_artifact_root")
        default = self.mlflow.update_workspace("default", description="The default workspace")
        expect_equal(default.description, "The default workspace", "update_workspace('default')")

    def test_set_workspace_and_create_experiment(self):
        self.in_workspace("team-a")
        experiment_id = self.mlflow.create_experiment("churn-prediction")
        check(isinstance(experiment_id, str) and experiment_id.isdigit() and experiment_id != "0",
              f"create_experiment returned {experiment_id!r}, expected a new numeric string id")
        self.ids["exp-a"] = experiment_id
        experiment = self.mlflow.get_experiment_by_name("churn-prediction")
        check(experiment is not None, "get_experiment_by_name('churn-prediction') is None in team-a")
        expect_equal((experiment.experiment_id, experiment.name, experiment.lifecycle_stage),
                     (experiment_id, "churn-prediction", "active"), "the experiment read back")
        expect_equal(getattr(experiment, "workspace", "team-a"), "team-a", "experiment.workspace")
        check(experiment.artifact_location, "the experiment has no artifact_location")
        check(self.mlflow.get_experiment_by_name("Default") is None,
              "experiment 'Default' (of workspace default) is visible in team-a")

    def test_search_experiments(self):
        self.in_workspace("team-a")
        names = {e.name: e.experiment_id for e in self.mlflow.search_experiments()}
        expect_equal(names, {"churn-prediction": self.ids["exp-a"]}, "search_experiments() in team-a")
        filtered = self.mlflow.search_experiments(filter_string="name = 'churn-prediction'")
        expect_equal([e.experiment_id for e in filtered], [self.ids["exp-a"]], "search_experiments(filter name)")
        self.in_workspace(None)
        names = {e.name for e in self.mlflow.search_experiments()}
        check("Default" in names and "churn-prediction" not in names,
              f"search_experiments() without a workspace: expected Default only, got {sorted(names)}")

    def test_query_string_encoding(self):
        # GET parameters come form-encoded ("a b" as "a+b"), as the client's requests library sends them.
        name = "spaced name + plus & 50%/x"
        experiment_id = self.mlflow.create_experiment(name)
        found = self.mlflow.get_experiment_by_name(name)
        check(found is not None, f"get_experiment_by_name({name!r}) is None")
        expect_equal(found.experiment_id, experiment_id, f"get_experiment_by_name({name!r})")
        expect_equal(found.name, name, "the name read back")
        quoted = urllib.parse.quote(name, safe="")
        body = expect_status(self.http.request("GET", f"/api/2.0/mlflow/experiments/get-by-name?experiment_name={quoted}"),
                             200, what="get-by-name with %20 escapes")
        expect_equal(body["experiment"]["experiment_id"], experiment_id, "get-by-name with %20 escapes")

    def test_start_run_log_param_metric(self):
        self.in_workspace("team-a")
        with self.mlflow.start_run(experiment_id=self.ids["exp-a"], run_name="baseline") as run:
            self.mlflow.log_param("learning_rate", 0.01)
            self.mlflow.log_metric("accuracy", 0.95)
            self.mlflow.log_metric("accuracy", 0.97, step=1)
            self.mlflow.set_tag("team", "a")
            run_id = run.info.run_id
        check(run_id, "start_run gave no run_id")
        self.ids["run-a"] = run_id
        fetched = self.client.get_run(run_id)
        expect_equal(fetched.info.run_id, run_id, "get_run().info.run_id")
        expect_equal(fetched.info.experiment_id, self.ids["exp-a"], "get_run().info.experiment_id")
        expect_equal(fetched.info.run_name, "baseline", "get_run().info.run_name")
        expect_equal(fetched.info.status, "FINISHED", "get_run().info.status")
        check(fetched.info.end_time, "get_run().info.end_time is not set after end_run")
        expect_equal(fetched.data.params, {"learning_rate": "0.01"}, "get_run().data.params")
        expect_equal(fetched.data.metrics, {"accuracy": 0.97}, "get_run().data.metrics (latest)")
        expect_equal(fetched.data.tags.get("team"), "a", "get_run().data.tags['team']")
        check("mlflow.user" in fetched.data.tags, f"the client's mlflow.user tag is missing: {fetched.data.tags}")
        history = self.client.get_metric_history(run_id, "accuracy")
        expect_equal(sorted((m.step, m.value) for m in history), [(0, 0.95), (1, 0.97)], "get_metric_history")

    def test_end_run_explicit(self):
        self.in_workspace("team-a")
        run = self.mlflow.start_run(experiment_id=self.ids["exp-a"])
        self.mlflow.log_metric("loss", 0.5)
        self.mlflow.end_run()
        expect_equal(self.client.get_run(run.info.run_id).info.status, "FINISHED", "status after end_run()")

    def test_registered_models(self):
        self.in_workspace("team-a")
        created = self.client.create_registered_model("churn-model", description="Churn")
        expect_equal(created.name, "churn-model", "create_registered_model().name")
        check(created.creation_timestamp, "create_registered_model(): no creation_timestamp")
        expect_equal(self.client.get_registered_model("churn-model").description, "Churn", "get_registered_model().description")
        expect_mlflow_error(lambda: self.client.create_registered_model("churn-model"), "RESOURCE_ALREADY_EXISTS",
                            what="create_registered_model twice")
        self.client.create_registered_model("scratch-model")
        # MlflowClient.rename_registered_model returns None in 3.17.2: read the model back instead.
        self.client.rename_registered_model("scratch-model", "scratch-model-2")
        expect_equal(self.client.get_registered_model("scratch-model-2").name, "scratch-model-2",
                     "get_registered_model(new name) after rename_registered_model")
        expect_mlflow_error(lambda: self.client.get_registered_model("scratch-model"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_registered_model(old name)")
        names = sorted(m.name for m in self.client.search_registered_models())
        expect_equal(names, ["churn-model", "scratch-model-2"], "search_registered_models() in team-a")
        # The client always adds tag.`mlflow.prompt.is_prompt` != 'true' to a model search, in a query string.
        self.client.set_registered_model_tag("churn-model", "stage", "prod")
        self.client.set_registered_model_tag("scratch-model-2", "stage", "dev")
        found = [m.name for m in self.client.search_registered_models(filter_string="tags.stage = 'prod'")]
        expect_equal(found, ["churn-model"], "search_registered_models(tags.stage = 'prod')")
        found = [m.name for m in self.client.search_registered_models(filter_string="name LIKE 'scratch%'")]
        expect_equal(found, ["scratch-model-2"], "search_registered_models(name LIKE 'scratch%')")
        # A model tagged as a prompt is left out (the client itself refuses to touch it, so plain HTTP).
        prompt = {"name": "prompt-like", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}
        expect_status(self.http.request("POST", "/api/2.0/mlflow/registered-models/create", prompt, workspace="team-a"),
                      200, what="create a model tagged as a prompt")
        found = sorted(m.name for m in self.client.search_registered_models())
        expect_equal(found, ["churn-model", "scratch-model-2"], "search_registered_models() leaves out the prompt")
        expect_status(self.http.request("DELETE", "/api/2.0/mlflow/registered-models/delete", {"name": "prompt-like"},
                                        workspace="team-a"), 200, what="delete the prompt-tagged model")
        self.client.delete_registered_model("scratch-model-2")
        expect_mlflow_error(lambda: self.client.get_registered_model("scratch-model-2"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_registered_model after delete")
        names = sorted(m.name for m in self.client.search_registered_models())
        expect_equal(names, ["churn-model"], "search_registered_models() after delete")
        self.in_workspace(None)
        expect_equal([m.name for m in self.client.search_registered_models()], [],
                     "search_registered_models() in default")

    def test_same_names_in_two_workspaces(self):
        self.in_workspace("team-b")
        experiment_id = self.mlflow.create_experiment("churn-prediction")
        self.ids["exp-b"] = experiment_id
        check(experiment_id != self.ids["exp-a"], "team-b's experiment got team-a's id")
        model = self.client.create_registered_model("churn-model")
        expect_equal(model.name, "churn-model", "create_registered_model('churn-model') in team-b")
        with self.mlflow.start_run(experiment_id=experiment_id) as run:
            self.mlflow.log_param("learning_rate", 0.1)
        self.ids["run-b"] = run.info.run_id
        expect_equal(self.mlflow.get_experiment_by_name("churn-prediction").experiment_id, experiment_id,
                     "get_experiment_by_name in team-b")
        expect_equal(self.client.get_run(run.info.run_id).data.params, {"learning_rate": "0.1"}, "team-b's run params")
        self.in_workspace("team-a")
        expect_equal(self.mlflow.get_experiment_by_name("churn-prediction").experiment_id, self.ids["exp-a"],
                     "get_experiment_by_name in team-a")
        expect_equal(self.client.get_registered_model("churn-model").description, "Churn", "team-a's model")
        self.in_workspace("default")
        check(self.mlflow.get_experiment_by_name("churn-prediction") is None,
              "'churn-prediction' is visible in default")

    def test_cross_workspace_ids_hidden(self):
        self.in_workspace("team-b")
        expect_mlflow_error(lambda: self.client.get_experiment(self.ids["exp-a"]), "RESOURCE_DOES_NOT_EXIST",
                            what="team-a's experiment read from team-b")
        expect_mlflow_error(lambda: self.client.get_run(self.ids["run-a"]), "RESOURCE_DOES_NOT_EXIST",
                            what="team-a's run read from team-b")
        expect_mlflow_error(lambda: self.client.log_param(self.ids["run-a"], "x", "1"), "RESOURCE_DOES_NOT_EXIST",
                            what="log_param on team-a's run from team-b")
        self.in_workspace(None)
        expect_mlflow_error(lambda: self.client.get_experiment(self.ids["exp-a"]), "RESOURCE_DOES_NOT_EXIST",
                            what="team-a's experiment read without a workspace")

    def test_run_in_workspace_without_experiment_0(self):
        # Experiment 0 lives in `default`: a plain start_run() elsewhere is 404 (reference §2.4.6).
        self.in_workspace("team-b")
        expect_mlflow_error(lambda: self.client.create_run("0"), "RESOURCE_DOES_NOT_EXIST",
                            what="create_run('0') in team-b")

    # -- the header, with plain HTTP -------------------------------------------------------

    def _experiments_in(self, workspace: str | None, prefix: str = "/api") -> dict[str, str]:
        body = expect_status(self.http.request("GET", f"{prefix}/2.0/mlflow/experiments/list", workspace=workspace),
                             200, what=f"experiments/list with header {workspace!r}")
        check(isinstance(body, dict), f"experiments/list: not a JSON object: {body!r}")
        return {e["name"]: e["experiment_id"] for e in body.get("experiments", [])}

    def test_header_selects_workspace(self):
        expect_equal(self._experiments_in("team-a"), {"churn-prediction": self.ids["exp-a"]}, "experiments/list in team-a")
        expect_equal(self._experiments_in("team-b"), {"churn-prediction": self.ids["exp-b"]}, "experiments/list in team-b")
        expect_equal(self._experiments_in("  team-a  "), {"churn-prediction": self.ids["exp-a"]},
                     "experiments/list with a header needing a trim")
        expect_equal(self._experiments_in("team-b", prefix="/ajax-api"), {"churn-prediction": self.ids["exp-b"]},
                     "/ajax-api experiments/list in team-b")
        body = expect_status(self.http.request("POST", "/api/2.0/mlflow/experiments/search", {"max_results": 10},
                                               workspace="team-b"), 200, what="experiments/search in team-b")
        expect_equal([e["name"] for e in body.get("experiments", [])], ["churn-prediction"], "experiments/search in team-b")
        expect_equal(body["experiments"][0].get("workspace", "team-b"), "team-b", "the experiment's workspace field")

    def test_header_absent_means_default(self):
        experiments = self._experiments_in(None)
        check("Default" in experiments and experiments["Default"] == "0",
              f"experiments/list without a header: expected Default (id 0), got {experiments}")
        check("churn-prediction" not in experiments, f"a team's experiment listed in default: {experiments}")
        expect_equal(self._experiments_in("default"), experiments, "experiments/list with header 'default'")
        expect_equal(self._experiments_in(""), experiments, "experiments/list with an empty header")

    def test_header_unknown_workspace_404(self):
        for path in ("/api/2.0/mlflow/experiments/list", "/api/2.0/mlflow/experiments/get?experiment_id=0"):
            expect_status(self.http.request("GET", path, workspace="nope-x"), 404, "RESOURCE_DOES_NOT_EXIST",
                          f"GET {path} with an unknown workspace")
        expect_status(self.http.request("POST", "/api/2.0/mlflow/experiments/create", {"name": "ghost"}, workspace="nope-x"),
                      404, "RESOURCE_DOES_NOT_EXIST", "experiments/create with an unknown workspace")

    def test_header_invalid_workspace_400(self):
        for bad in ("Bad_Name", "a--b", "workspaces", "x"):
            expect_status(self.http.request("GET", "/api/2.0/mlflow/experiments/list", workspace=bad), 400,
                          "INVALID_PARAMETER_VALUE", f"experiments/list with header {bad!r}")
        expect_status(self.http.request("POST", "/api/2.0/mlflow/experiments/create", {"name": "ghost"}, workspace="Bad_Name"),
                      400, "INVALID_PARAMETER_VALUE", "experiments/create with an invalid header")
        check("ghost" not in self._experiments_in(None), "a refused experiments/create wrote an experiment")

    def test_header_cross_workspace_id_404(self):
        expect_status(self.http.request("GET", f"/api/2.0/mlflow/experiments/get?experiment_id={self.ids['exp-a']}",
                                        workspace="team-b"), 404, "RESOURCE_DOES_NOT_EXIST", "team-a's experiment with header team-b")
        body = expect_status(self.http.request("GET", f"/api/2.0/mlflow/experiments/get?experiment_id={self.ids['exp-a']}",
                                               workspace="team-a"), 200, what="team-a's experiment with header team-a")
        expect_equal(body["experiment"]["name"], "churn-prediction", "experiments/get in team-a")

    # -- invalid names, refused by the server ----------------------------------------------

    def test_invalid_names_refused_over_http(self):
        for name in ("a--b", "Bad_Name", "workspaces", "default", "api", "x", "-ab", "ab-", ""):
            expect_status(self.http.request("POST", "/api/3.0/mlflow/workspaces", {"name": name}), 400,
                          "INVALID_PARAMETER_VALUE", f"POST workspaces {{'name': {name!r}}}")
        for name in ("Bad_Name", "a--b"):
            for method in ("GET", "DELETE"):
                expect_status(self.http.request(method, f"/api/3.0/mlflow/workspaces/{name}"), 400,
                              "INVALID_PARAMETER_VALUE", f"{method} workspaces/{name}")
        listed = {w["name"] for w in (self.http.request("GET", "/api/3.0/mlflow/workspaces")[1] or {}).get("workspaces", [])}
        expect_equal(listed, {"default", "team-a", "team-b"}, "workspaces after the refusals")

    def test_invalid_names_refused_via_client(self):
        # `a--b` passes the 3.17.2 client's own validator, so the server is what refuses it (SPEC §2.1).
        expect_mlflow_error(lambda: self.mlflow.create_workspace("a--b"), "INVALID_PARAMETER_VALUE",
                            what="create_workspace('a--b')")
        expect_mlflow_error(lambda: self.mlflow.create_workspace("default"), "INVALID_PARAMETER_VALUE",
                            what="create_workspace('default')")
        expect_mlflow_error(lambda: self.mlflow.get_workspace("a--b"), "INVALID_PARAMETER_VALUE",
                            what="get_workspace('a--b')")
        # These the client refuses itself, before any request.
        for name in ("Bad_Name", "workspaces"):
            expect_mlflow_error(lambda: self.mlflow.create_workspace(name), "INVALID_PARAMETER_VALUE",
                                server_side=False, what=f"create_workspace({name!r})")
        names = {w.name for w in self.mlflow.list_workspaces()}
        check(not names & {"a--b", "Bad_Name", "workspaces"}, f"a refused name was created: {sorted(names)}")

    # -- deletion --------------------------------------------------------------------------

    def test_delete_non_empty_refused(self):
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/team-a"), 409, "INVALID_STATE",
                      "DELETE non-empty workspace team-a")
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/team-a?mode=RESTRICT"), 409,
                      "INVALID_STATE", "DELETE non-empty workspace team-a ?mode=RESTRICT")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("team-a"), "INVALID_STATE", within=QUICK_S,
                            what="delete_workspace('team-a')")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("team-a", mode="RESTRICT"), "INVALID_STATE",
                            within=QUICK_S, what="delete_workspace('team-a', mode='RESTRICT')")
        expect_equal(self.mlflow.get_workspace("team-a").name, "team-a", "team-a after the refused delete")
        self.in_workspace("team-a")
        check(self.mlflow.get_experiment_by_name("churn-prediction") is not None,
              "team-a's experiment is gone after a refused delete")

    def test_delete_only_model_refused(self):
        # A workspace holding only a registered model (and a soft-deleted experiment) is not empty.
        self.mlflow.create_workspace("models-only")
        self.in_workspace("models-only")
        self.client.create_registered_model("lonely-model")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("models-only"), "INVALID_STATE", within=QUICK_S,
                            what="delete_workspace of a workspace with a model")
        self.client.delete_registered_model("lonely-model")
        experiment_id = self.mlflow.create_experiment("soft-deleted")
        self.client.delete_experiment(experiment_id)
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("models-only"), "INVALID_STATE", within=QUICK_S,
                            what="delete_workspace of a workspace with a deleted experiment")
        self.in_workspace(None)

    def test_default_undeletable(self):
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/default"), 400,
                      "INVALID_PARAMETER_VALUE", "DELETE workspaces/default")
        for mode in ("CASCADE", "SET_DEFAULT"):
            expect_status(self.http.request("DELETE", f"/api/3.0/mlflow/workspaces/default?mode={mode}"), 400,
                          "INVALID_PARAMETER_VALUE", f"DELETE workspaces/default?mode={mode}")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("default"), "INVALID_PARAMETER_VALUE", within=QUICK_S,
                            what="delete_workspace('default')")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("default", mode="CASCADE"), "INVALID_PARAMETER_VALUE",
                            within=QUICK_S, what="delete_workspace('default', mode='CASCADE')")
        expect_equal(self.mlflow.get_workspace("default").name, "default", "default after the refused deletes")
        check("Default" in self._experiments_in(None), "experiment Default is gone")

    def test_delete_bad_mode_and_unknown(self):
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/team-b?mode=cascade"), 400,
                      "INVALID_PARAMETER_VALUE", "DELETE ?mode=cascade (modes are case-sensitive)")
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/nope-x"), 404,
                      "RESOURCE_DOES_NOT_EXIST", "DELETE an unknown workspace")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("nope-x"), "RESOURCE_DOES_NOT_EXIST",
                            what="delete_workspace('nope-x')")
        expect_equal(self.mlflow.get_workspace("team-b").name, "team-b", "team-b after a bad-mode delete")

    def test_delete_empty_workspace(self):
        self.mlflow.create_workspace("empty-ws")
        self.mlflow.delete_workspace("empty-ws")
        expect_mlflow_error(lambda: self.mlflow.get_workspace("empty-ws"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_workspace after delete")
        self.mlflow.create_workspace("empty-ws2")
        status, body, text = self.http.request("DELETE", "/api/3.0/mlflow/workspaces/empty-ws2")
        check(status == 204 and not text, f"DELETE an empty workspace: expected 204 with no body, got {status} {text!r}")

    def test_cascade_delete(self):
        self.mlflow.create_workspace("scratch-cascade", description="to be removed")
        self.in_workspace("scratch-cascade")
        experiment_id = self.mlflow.create_experiment("doomed")
        with self.mlflow.start_run(experiment_id=experiment_id) as run:
            self.mlflow.log_metric("m", 1.0)
        self.client.create_registered_model("doomed-model")
        self.in_workspace(None)
        self.mlflow.delete_workspace("scratch-cascade", mode="CASCADE")
        expect_mlflow_error(lambda: self.mlflow.get_workspace("scratch-cascade"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_workspace after CASCADE")
        check("scratch-cascade" not in {w.name for w in self.mlflow.list_workspaces()}, "listed after CASCADE")
        expect_status(self.http.request("GET", "/api/3.0/mlflow/workspaces/scratch-cascade"), 404,
                      "RESOURCE_DOES_NOT_EXIST", "GET the workspace after CASCADE")
        expect_status(self.http.request("GET", f"/api/2.0/mlflow/experiments/get?experiment_id={experiment_id}"), 404,
                      "RESOURCE_DOES_NOT_EXIST", "its experiment (no header) after CASCADE")
        expect_status(self.http.request("GET", f"/api/2.0/mlflow/runs/get?run_id={run.info.run_id}"), 404,
                      "RESOURCE_DOES_NOT_EXIST", "its run (no header) after CASCADE")
        expect_status(self.http.request("GET", "/api/2.0/mlflow/experiments/list", workspace="scratch-cascade"), 404,
                      "RESOURCE_DOES_NOT_EXIST", "its header after CASCADE")
        # The name is free again, and the new workspace is empty.
        self.mlflow.create_workspace("scratch-cascade")
        expect_equal(self._experiments_in("scratch-cascade"), {}, "a re-created workspace's experiments")
        self.mlflow.delete_workspace("scratch-cascade")

    def test_set_default_delete(self):
        self.mlflow.create_workspace("scratch-move")
        self.in_workspace("scratch-move")
        experiment_id = self.mlflow.create_experiment("moved-experiment")
        self.client.create_registered_model("moved-model")
        self.in_workspace(None)
        self.mlflow.delete_workspace("scratch-move", mode="SET_DEFAULT")
        expect_mlflow_error(lambda: self.mlflow.get_workspace("scratch-move"), "RESOURCE_DOES_NOT_EXIST",
                            what="get_workspace after SET_DEFAULT")
        moved = self.mlflow.get_experiment_by_name("moved-experiment")
        check(moved is not None, "the experiment is not in default after SET_DEFAULT")
        expect_equal(moved.experiment_id, experiment_id, "the moved experiment's id")
        body = expect_status(self.http.request("GET", f"/api/2.0/mlflow/experiments/get?experiment_id={experiment_id}"),
                             200, what="the moved experiment without a header")
        expect_equal(body["experiment"].get("workspace", "default"), "default", "the moved experiment's workspace")
        expect_equal(self.client.get_registered_model("moved-model").name, "moved-model", "the moved model in default")

    def test_set_default_clash_refused(self):
        self.mlflow.create_workspace("scratch-clash")
        self.in_workspace("scratch-clash")
        self.mlflow.create_experiment("Default")  # the name of default's experiment 0
        self.in_workspace(None)
        expect_status(self.http.request("DELETE", "/api/3.0/mlflow/workspaces/scratch-clash?mode=SET_DEFAULT"), 409,
                      "INVALID_STATE", "SET_DEFAULT with a name clash")
        expect_mlflow_error(lambda: self.mlflow.delete_workspace("scratch-clash", mode="SET_DEFAULT"), "INVALID_STATE",
                            within=QUICK_S, what="delete_workspace(SET_DEFAULT) with a name clash")
        expect_equal(self._experiments_in("scratch-clash").keys(), {"Default"}, "the clashing workspace after the refusal")
        self.mlflow.delete_workspace("scratch-clash", mode="CASCADE")

    def test_final_workspace_list(self):
        names = sorted(w.name for w in self.mlflow.list_workspaces())
        expect_equal(names, ["default", "models-only", "team-a", "team-b"], "workspaces at the end")

    # -- running ---------------------------------------------------------------------------

    def tests(self):
        return [(name[len("test_"):], getattr(self, name)) for name in Conformance.ORDER]

    ORDER = [
        "test_health", "test_server_info", "test_default_workspace", "test_create_workspaces",
        "test_create_duplicate_workspace_refused", "test_list_workspaces", "test_get_workspace",
        "test_get_unknown_workspace", "test_update_workspace", "test_set_workspace_and_create_experiment",
        "test_search_experiments", "test_query_string_encoding", "test_start_run_log_param_metric", "test_end_run_explicit",
        "test_registered_models", "test_same_names_in_two_workspaces", "test_cross_workspace_ids_hidden",
        "test_run_in_workspace_without_experiment_0", "test_header_selects_workspace",
        "test_header_absent_means_default", "test_header_unknown_workspace_404", "test_header_invalid_workspace_400",
        "test_header_cross_workspace_id_404", "test_invalid_names_refused_over_http",
        "test_invalid_names_refused_via_client", "test_delete_non_empty_refused", "test_delete_only_model_refused",
        "test_default_undeletable", "test_delete_bad_mode_and_unknown", "test_delete_empty_workspace",
        "test_cascade_delete", "test_set_default_delete", "test_set_default_clash_refused", "test_final_workspace_list",
    ]

    def run(self, verbose: bool, deadline: float) -> tuple[int, int]:
        passed = failed = 0
        for name, test in self.tests():
            if time.monotonic() > deadline:
                failed += 1
                print(f"FAIL {name}: not run, the {BUDGET_S:.0f} s budget is spent", flush=True)
                continue
            try:
                test()
            except CheckFailed as e:
                failed += 1
                print(f"FAIL {name}: {e}", flush=True)
            except Exception as e:  # noqa: BLE001 - a client exception is a failed check, with its text
                failed += 1
                print(f"FAIL {name}: {type(e).__name__}: {one_line(str(e))}", flush=True)
                if verbose:
                    traceback.print_exc()
            else:
                passed += 1
                print(f"PASS {name}", flush=True)
            finally:
                try:
                    self.mlflow.set_workspace(None)
                except Exception:  # noqa: BLE001
                    pass
                if self.mlflow.active_run() is not None:
                    try:
                        self.mlflow.end_run()
                    except Exception:  # noqa: BLE001
                        pass
        return passed, failed


def one_line(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=DEFAULT_LEDGER,
                        help=f"the ledger binary (default: {DEFAULT_LEDGER.relative_to(REPO_ROOT)} in the repository)")
    parser.add_argument("--verbose", action="store_true", help="print a traceback for each unexpected exception")
    args = parser.parse_args()

    binary = args.ledger.expanduser().resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        print(f"error: no executable ledger binary at {binary}; build it with "
              f"'swift build --product ledger' or pass --ledger PATH", file=sys.stderr)
        return 2

    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    os.environ.update(CLIENT_ENV)
    try:
        import mlflow
    except ImportError as e:
        print(f"error: the mlflow client is not installed ({e}); install it with "
              f"'pip install mlflow-skinny=={EXPECTED_MLFLOW}'", file=sys.stderr)
        return 2
    if mlflow.__version__ != EXPECTED_MLFLOW:
        print(f"note: mlflow {mlflow.__version__} is installed; these checks target {EXPECTED_MLFLOW}", file=sys.stderr)

    Signals.install()
    started = time.monotonic()
    server = None
    try:
        server = LedgerServer(binary)
        server.start()
        passed, failed = Conformance(server).run(args.verbose, started + BUDGET_S)
        if server.process is not None and server.process.poll() is not None:
            print(f"FAIL server_alive: the server exited with status {server.process.returncode} during the checks",
                  flush=True)
            print(f"--- server output ---\n{server.stderr_tail()}", file=sys.stderr)
            failed += 1
    except SetupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    print(f"checks took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)  # last, alone on its line
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
