"""python -m slipway_serving --model-dir DIR [--port N] [--host 127.0.0.1]

Loads the model, then listens; prints `SLIPWAY_MODEL_SERVER_READY {"port": N}` on stdout when it answers
/ping. A model that fails to load ends the process with exit code 2 and the handler's error on stderr.
SIGTERM stops it gracefully (exit 0).
"""
import argparse
import asyncio
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import traceback

from .errors import ModelLoadError
from .handlers import InferenceHandler
from .http_server import serve

READY = "SLIPWAY_MODEL_SERVER_READY"
LOAD_FAILED_EXIT = 2
PR_SET_PDEATHSIG = 1
DEFAULT_MAX_PAYLOAD_MB = 6


def main(argv=None):
    parser = argparse.ArgumentParser(prog="slipway_serving")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "0")))
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (no orphaned servers)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parent_pid:
        _die_with_parent(args.parent_pid)
    workers = 1 if args.worker else _workers()
    try:
        max_mb = float(os.environ.get("SAGEMAKER_MAX_PAYLOAD_IN_MB") or DEFAULT_MAX_PAYLOAD_MB)
    except ValueError:
        max_mb = DEFAULT_MAX_PAYLOAD_MB
    try:
        handler = InferenceHandler(os.path.abspath(args.model_dir))
    except ModelLoadError as error:
        print("slipway_serving: the model failed to load: %s" % error, file=sys.stderr, flush=True)
        return LOAD_FAILED_EXIT
    except Exception:  # noqa: BLE001 - whatever else failed while loading, say so and exit non-zero
        print("slipway_serving: the model failed to load:\n%s" % traceback.format_exc().rstrip(), file=sys.stderr, flush=True)
        return LOAD_FAILED_EXIT

    children = []

    def on_ready(port):
        # More workers: separate processes (each loads the model; no fork after numpy's threads started) that
        # listen on the same port (SO_REUSEPORT) once their model is loaded. READY is printed now, as this
        # process answers: the endpoint serves at once, and each worker takes its share of new connections as
        # soon as it is ready, so more workers never delay an endpoint's start.
        children.extend(_spawn_worker(args, port) for _ in range(workers - 1))
        for child in children:
            threading.Thread(target=_relay_worker, args=(child,), daemon=True).start()
        print("%s %s" % (READY, json.dumps({"port": port})), flush=True)

    async def run():
        task = asyncio.ensure_future(
            serve(handler, args.host, args.port, int(max_mb * 1024 * 1024), on_ready, reuse_port=workers > 1 or args.worker)
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        if args.parent_pid:
            asyncio.ensure_future(_watch_parent(args.parent_pid, task))
        try:
            await task
        except asyncio.CancelledError:
            pass
        finally:
            _stop_workers(children)

    asyncio.run(run())
    return 0


def _workers():
    """SAGEMAKER_MODEL_SERVER_WORKERS, as the containers read it; 1 when unset or not a positive number."""
    try:
        return max(1, int(os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS") or 1))
    except ValueError:
        return 1


def _spawn_worker(args, port):
    command = [sys.executable, "-m", "slipway_serving", "--model-dir", args.model_dir, "--host", args.host]
    command += ["--port", str(port), "--parent-pid", str(os.getpid()), "--worker"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def _relay_worker(child):
    """Says so if a worker fails to start; passes on what it prints (handlers' prints) to this stdout."""
    line = child.stdout.readline()
    if not line.startswith(READY):
        child.wait()
        print("slipway_serving: a worker failed to start (exit %s); serving with fewer" % child.returncode, file=sys.stderr, flush=True)
        return
    for rest in child.stdout:
        sys.stdout.write(rest)


def _stop_workers(children):
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()


def _die_with_parent(parent_pid):
    """On Linux, have the kernel send SIGTERM when the launcher dies, so that a server still loading its model
    (before `_watch_parent` runs) stops too. SIGTERM ends a loading process; a serving one stops gracefully."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):
        return
    if os.getppid() != parent_pid:  # the launcher died before the request took effect
        os._exit(128 + signal.SIGTERM)


async def _watch_parent(parent_pid, task):
    """Stops serving once the launcher is gone (this process was re-parented), so no server outlives it."""
    while not task.done():
        await asyncio.sleep(1)
        if os.getppid() != parent_pid:
            task.cancel()
            try:
                print("slipway_serving: the launcher (pid %d) is gone; stopping" % parent_pid, file=sys.stderr, flush=True)
            except OSError:  # the launcher read our stderr: with it gone the pipe is broken
                pass


if __name__ == "__main__":
    sys.exit(main())
