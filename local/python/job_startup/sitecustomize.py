"""Makes hard-coded /opt/ml paths work in a local job's Python processes.

Slipway's runners emulate a SageMaker container without one: a job's /opt/ml lives in a per-job sandbox, and the
runner maps /opt/ml in the command line and environment. Scripts often also spell out paths such as
/opt/ml/processing/input/data in their code. When SLIPWAY_OPT_ML names the sandbox's /opt/ml, this module (loaded
by Python at start-up because the runner puts its folder on PYTHONPATH) maps such paths in every function of the
`os` module that takes a path (stat, open, scandir, the extended-attribute calls that shutil.copy2 and copytree
make, exec and spawn, ...), in `open`/`io.open`, in the command, `executable` and `cwd` of subprocess.Popen, and
in the few library functions that open files from C with a path they are given (torch.save/load,
torch.jit.save/load). That covers pathlib, shutil, glob, tarfile, numpy, pandas and joblib, which reach the file
system through those. Other code that opens files from C is not covered; the runner also sets SAGEMAKER_BASE_DIR
for scripts that ask. Any other sitecustomize further along sys.path still runs.
"""
import builtins
import functools
import importlib.abc
import importlib.util
import io
import os
import re
import subprocess
import sys

CONTAINER_ROOT = "/opt/ml"
# os functions whose first argument is a path (or a file descriptor, passed through untouched). The list is the
# whole family: a function missing here fails with FileNotFoundError for a file that exists in the sandbox.
ONE_PATH = (
    "access", "chdir", "chflags", "chmod", "chown", "chroot", "getxattr", "lchflags", "lchmod", "lchown",
    "listdir", "listxattr", "lstat", "mkdir", "mkfifo", "mknod", "open", "pathconf", "readlink", "remove",
    "removexattr", "rmdir", "scandir", "setxattr", "stat", "statvfs", "truncate", "unlink", "utime",
    # The program of exec and spawn (posix_spawnp and the exec*p forms search PATH only for bare names).
    "execv", "execve", "posix_spawn", "posix_spawnp", "spawnv", "spawnve",
)
# os functions whose first two arguments are paths (for symlink, the target and the link).
TWO_PATHS = ("rename", "replace", "link", "symlink")
# spawnv(mode, path, args): the path is the second argument.
SECOND_PATH = ("spawnv", "spawnve")
KEYWORDS = ("path", "file", "src", "dst")
# Library functions that hand a path to C code, as (module, dotted attribute, index of the path argument).
NATIVE_OPENERS = (
    ("torch", "save", 1),
    ("torch", "load", 0),
    ("torch.serialization", "save", 1),
    ("torch.serialization", "load", 0),
    ("torch.jit", "save", 1),
    ("torch.jit", "load", 0),
)


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


def _wrap(function, mapped, positions):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if args:
            args = tuple(mapped(a) if i in positions else a for i, a in enumerate(args))
        for key in KEYWORDS:
            if key in kwargs:
                kwargs[key] = mapped(kwargs[key])
        return function(*args, **kwargs)

    wrapper.__slipway_mapped__ = True
    return wrapper


# `/opt/ml` where it starts a path inside a command-line word (`--model=/opt/ml/model`), as the runner maps them.
_IN_WORD = re.compile(r"(^|[^\w./~-])/opt/ml(?=$|[/\s\"'`,;:=)\]}])")


def _command_mapper(root):
    def mapped_word(word):
        if isinstance(word, str):
            return _IN_WORD.sub(lambda m: m.group(1) + root, word)
        if isinstance(word, bytes):
            return _IN_WORD.sub(lambda m: m.group(1) + root, word.decode("utf-8", "surrogateescape")).encode(
                "utf-8", "surrogateescape"
            )
        if isinstance(word, os.PathLike):
            return mapped_word(os.fspath(word))
        return word

    def mapped_args(args):
        if isinstance(args, (str, bytes, os.PathLike)):
            return mapped_word(args)
        try:
            return [mapped_word(word) for word in args]
        except TypeError:
            return args

    return mapped_word, mapped_args


def _wrap_popen(mapped, root):
    """Maps the command, `executable` and `cwd` of subprocess.Popen: they reach the kernel from C."""
    original = subprocess.Popen.__init__
    if getattr(original, "__slipway_mapped__", False):
        return
    mapped_word, mapped_args = _command_mapper(root)

    @functools.wraps(original)
    def init(self, args, *rest, **kwargs):
        for key in ("executable", "cwd"):
            if kwargs.get(key) is not None:
                kwargs[key] = mapped(kwargs[key])
        return original(self, mapped_args(args), *rest, **kwargs)

    init.__slipway_mapped__ = True
    subprocess.Popen.__init__ = init


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Wraps NATIVE_OPENERS once their module has been imported (without importing anything itself)."""

    def __init__(self, mapped):
        self.mapped = mapped
        self.pending = {}
        for module, attribute, index in NATIVE_OPENERS:
            self.pending.setdefault(module, []).append((attribute, index))

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, self, fullname)
                return spec
        return None

    def patch(self, fullname, module):
        for attribute, index in self.pending.pop(fullname, []):
            function = getattr(module, attribute, None)
            if callable(function) and not getattr(function, "__slipway_mapped__", False):
                setattr(module, attribute, _wrap(function, self.mapped, {index}))


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, finder, fullname):
        self.loader, self.finder, self.fullname = loader, finder, fullname

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.finder.patch(self.fullname, module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def install(root):
    """Maps /opt/ml to `root` in open, the os path functions, subprocess and native openers (once per process)."""
    if getattr(builtins.open, "__slipway_mapped__", False):
        return
    root = root.rstrip("/")
    mapped = _mapper(root)
    builtins.open = io.open = _wrap(io.open, mapped, {0})
    for name in ONE_PATH:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), mapped, {1} if name in SECOND_PATH else {0}))
    for name in TWO_PATHS:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), mapped, {0, 1}))
    _wrap_popen(mapped, root)
    sys.meta_path.insert(0, _PatchAfterImport(mapped))


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
