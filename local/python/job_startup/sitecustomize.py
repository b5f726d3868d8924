"""Makes hard-coded /opt/ml paths work in a local job's Python processes.

Slipway's runners emulate a SageMaker container without one: a job's /opt/ml lives in a per-job sandbox, and the
runner maps /opt/ml in the command line and environment. Scripts often also spell out paths such as
/opt/ml/processing/input/data in their code. When SLIPWAY_OPT_ML names the sandbox's /opt/ml, this module (loaded
by Python at start-up because the runner puts its folder on PYTHONPATH) maps such paths in `open` and the `os`
functions that take paths, which covers pathlib, shutil, glob, numpy, pandas and joblib. Code that opens files
from C without Python's `open` is not covered; the runner also sets SAGEMAKER_BASE_DIR for scripts that ask.
Any other sitecustomize further along sys.path still runs.
"""
import builtins
import functools
import importlib.util
import io
import os
import sys

CONTAINER_ROOT = "/opt/ml"
# Functions whose first argument is a path (or a file descriptor, passed through untouched).
ONE_PATH = (
    "stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink", "access", "chmod", "chown",
    "lchown", "chdir", "utime", "readlink", "open", "truncate", "statvfs", "mkfifo", "chflags", "lchmod",
)
# Functions whose first two arguments are paths.
TWO_PATHS = ("rename", "replace", "link", "symlink")
KEYWORDS = ("path", "file", "src", "dst")


def _mapper(root):
    broot, bprefix = os.fsencode(root), os.fsencode(CONTAINER_ROOT)

    def mapped(path):
        if isinstance(path, int):
            return path
        try:
            raw = os.fspath(path)
        except TypeError:
            return path
        if isinstance(raw, str):
            if raw == CONTAINER_ROOT or raw.startswith(CONTAINER_ROOT + "/"):
                return root + raw[len(CONTAINER_ROOT) :]
        elif raw == bprefix or raw.startswith(bprefix + b"/"):
            return broot + raw[len(bprefix) :]
        return path

    return mapped


def _wrap(function, mapped, count):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if args:
            args = tuple(mapped(a) if i < count else a for i, a in enumerate(args))
        for key in KEYWORDS:
            if key in kwargs:
                kwargs[key] = mapped(kwargs[key])
        return function(*args, **kwargs)

    wrapper.__slipway_mapped__ = True
    return wrapper


def install(root):
    """Maps /opt/ml to `root` in builtins.open, io.open and the os functions above (once per process)."""
    if getattr(builtins.open, "__slipway_mapped__", False):
        return
    mapped = _mapper(root.rstrip("/"))
    builtins.open = io.open = _wrap(io.open, mapped, 1)
    for name in ONE_PATH:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), mapped, 1))
    for name in TWO_PATHS:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), mapped, 2))


def _run_next_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "sitecustomize.py")
        if os.path.abspath(entry or ".") != here and os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("_sitecustomize_after_slipway", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


if os.environ.get("SLIPWAY_OPT_ML"):
    install(os.environ["SLIPWAY_OPT_ML"])
try:
    _run_next_sitecustomize()
except Exception as error:  # noqa: BLE001 - another package's start-up hook must not break the job
    print("sitecustomize (Slipway): the next sitecustomize failed: %s" % error, file=sys.stderr)
