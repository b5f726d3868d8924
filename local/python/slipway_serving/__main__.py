"""python -m slipway_serving --model-dir DIR [--port N] [--host 127.0.0.1]

Loads the model, then listens; prints `SLIPWAY_MODEL_SERVER_READY {"port": N}` on stdout when it answers
/ping. A model that fails to load ends the process with exit code 2 and the handler's error on stderr.
SIGTERM stops it gracefully (exit 0).
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import traceback

from .errors import ModelLoadError
from .handlers import InferenceHandler
from .http_server import serve

READY = "SLIPWAY_MODEL_SERVER_READY"
LOAD_FAILED_EXIT = 2
DEFAULT_MAX_PAYLOAD_MB = 6


def main(argv=None):
    parser = argparse.ArgumentParser(prog="slipway_serving")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "0")))
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (no orphaned servers)")
    args = parser.parse_args(argv)
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

    def on_ready(port):
        print("%s %s" % (READY, json.dumps({"port": port})), flush=True)

    async def run():
        task = asyncio.ensure_future(serve(handler, args.host, args.port, int(max_mb * 1024 * 1024), on_ready))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        if args.parent_pid:
            asyncio.ensure_future(_watch_parent(args.parent_pid, task))
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(run())
    return 0


async def _watch_parent(parent_pid, task):
    """Stops serving once the launcher is gone (this process was re-parented), so no server outlives it."""
    while not task.done():
        await asyncio.sleep(1)
        if os.getppid() != parent_pid:
            print("slipway_serving: the launcher (pid %d) is gone; stopping" % parent_pid, file=sys.stderr, flush=True)
            task.cancel()


if __name__ == "__main__":
    sys.exit(main())
