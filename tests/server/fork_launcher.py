"""Start many short-lived server and desktop processes quickly: a launcher process imports
the heavy modules once, then forks a child per process asked for (a `mukta-server serve`
child starts in a fraction of a second instead of seconds). The tests kill those children
with SIGKILL and start new ones, dozens of times per test.

Run as a script (`python fork_launcher.py MODULE...`), it preloads the modules and answers
JSON commands on stdin, one per line:

- `{"op": "start", "call": "module:function", "args": [...], "log": "path"}` → `{"pid"}`:
  the child's output goes to `log`, its exit code is the function's return value;
- `{"op": "reap", "pid": n, "kill": true}` → `{"status"}`: SIGKILL first when `kill`, then
  wait for the child's end (the test knows it is gone, no polling).

The `Launcher` class drives it from a test. The launcher itself is a plain single-threaded
process (forking a pytest worker, which has threads, would not be safe).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class Launcher:
    def __init__(self, preload: Sequence[str]) -> None:
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        ready = self._readline()
        if ready.get("ready") is not True:
            raise RuntimeError(f"the launcher did not start: {ready}")

    def _readline(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the launcher ended")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps(command) + "\n")
            self._process.stdin.flush()
            answer = self._readline()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def start(self, call: str, args: Sequence[str], log: Path) -> int:
        return int(
            self._ask({"op": "start", "call": call, "args": list(args), "log": str(log)})["pid"]
        )

    def reap(self, pid: int, *, kill: bool) -> int:
        """Wait for the child's end (after SIGKILL when `kill`); its wait status."""
        return int(self._ask({"op": "reap", "pid": pid, "kill": kill})["status"])

    def close(self) -> None:
        """Ends the launcher; it kills the children still running first."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=60)
        finally:
            if self._process.stdout is not None:
                self._process.stdout.close()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# --- the launcher process ------------------------------------------------------------------


def _child(call: str, args: list[str], log: str) -> None:
    """In the forked child: output to the log, run the function, exit with its code."""
    code = 1
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        module, _, name = call.partition(":")
        result = getattr(importlib.import_module(module), name)(*args)
        code = int(result or 0)
    except BaseException as error:
        print(f"child failed: {error!r}", file=sys.stderr, flush=True)
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve_commands() -> None:
    children: set[int] = set()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if command["op"] == "start":
                pid = os.fork()
                if pid == 0:
                    _child(command["call"], command["args"], command["log"])
                children.add(pid)
                answer: dict[str, Any] = {"pid": pid}
            elif command["op"] == "reap":
                pid = int(command["pid"])
                if command.get("kill"):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                children.discard(pid)
                answer = {"status": status}
            else:
                answer = {"error": f"unknown command {command!r}"}
        except OSError as error:
            answer = {"error": repr(error)}
        print(json.dumps(answer), flush=True)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass


def main(modules: list[str]) -> None:
    for module in modules:
        importlib.import_module(module)
    print(json.dumps({"ready": True}), flush=True)
    _serve_commands()


if __name__ == "__main__":
    main(sys.argv[1:])
