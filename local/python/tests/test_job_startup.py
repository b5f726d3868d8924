"""The start-up hook that maps hard-coded /opt/ml paths into a job's sandbox."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from conftest import PYTHON_ROOT

HOOK_DIR = os.path.join(PYTHON_ROOT, "job_startup")

SCRIPT = """
    import glob, json, os, pathlib, shutil
    os.makedirs("/opt/ml/processing/output/result", exist_ok=True)
    with open("/opt/ml/processing/input/data/a.txt") as handle:
        text = handle.read()
    pathlib.Path("/opt/ml/processing/output/result/upper.txt").write_text(text.upper())
    shutil.copy("/opt/ml/processing/input/data/a.txt", "/opt/ml/processing/output/result/copy.txt")
    os.rename("/opt/ml/processing/output/result/copy.txt", "/opt/ml/processing/output/result/moved.txt")
    print(json.dumps({
        "listdir": sorted(os.listdir("/opt/ml/processing/output/result")),
        "glob": sorted(glob.glob("/opt/ml/processing/input/data/*.txt")),
        "walk": [(d, sorted(f)) for d, _, f in os.walk("/opt/ml/processing/input")],
        "exists": os.path.exists("/opt/ml/processing/input/data/a.txt"),
        "bytes_path": os.path.isfile(b"/opt/ml/processing/input/data/a.txt"),
        "elsewhere": os.path.exists("/opt/mlx"),
    }))
"""


def run(tmp_path, script, env):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env={**os.environ, "PYTHONPATH": HOOK_DIR, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_hard_coded_opt_ml_paths_land_in_the_sandbox(tmp_path):
    sandbox = tmp_path / "opt" / "ml"
    (sandbox / "processing" / "input" / "data").mkdir(parents=True)
    (sandbox / "processing" / "input" / "data" / "a.txt").write_text("hello")
    result = run(tmp_path, SCRIPT, {"SLIPWAY_OPT_ML": str(sandbox)})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "listdir": ["moved.txt", "upper.txt"],
        "glob": ["/opt/ml/processing/input/data/a.txt"],
        "walk": [["/opt/ml/processing/input", []], ["/opt/ml/processing/input/data", ["a.txt"]]],
        "exists": True,
        "bytes_path": True,
        "elsewhere": False,
    }
    assert (sandbox / "processing" / "output" / "result" / "upper.txt").read_text() == "HELLO"
    assert (sandbox / "processing" / "output" / "result" / "moved.txt").read_text() == "hello"


REPACK_SCRIPT = """
    import os, shutil, subprocess, tarfile, tempfile
    # What the SageMaker SDK's repack step (_repack_model.py) does with the files of /opt/ml.
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2("/opt/ml/input/data/training/model.tar.gz", os.path.join(tmp, "local.tar.gz"))
        with tarfile.open(os.path.join(tmp, "local.tar.gz")) as archive:
            archive.extractall(os.path.join(tmp, "src"), filter="data")
        shutil.copytree("/opt/ml/code", os.path.join(tmp, "src", "code"))
        shutil.copytree(os.path.join(tmp, "src"), "/opt/ml/model", dirs_exist_ok=True)
    # The rest of the family: extended attributes, links, renames, stat-like calls, truncate, utime.
    os.setxattr("/opt/ml/model/code/inference.py", b"user.slipway", b"yes")
    assert os.getxattr("/opt/ml/model/code/inference.py", b"user.slipway") == b"yes"
    assert b"user.slipway" in [os.fsencode(n) for n in os.listxattr("/opt/ml/model/code/inference.py")]
    os.removexattr("/opt/ml/model/code/inference.py", b"user.slipway")
    os.symlink("/opt/ml/model/weights.bin", "/opt/ml/model/latest")
    os.link("/opt/ml/model/weights.bin", "/opt/ml/model/hard.bin")
    os.unlink("/opt/ml/model/hard.bin")
    shutil.copyfile("/opt/ml/model/weights.bin", "/opt/ml/model/copy.bin")
    os.replace("/opt/ml/model/copy.bin", "/opt/ml/model/moved.bin")
    os.truncate("/opt/ml/model/moved.bin", 2)
    os.utime("/opt/ml/model/moved.bin", (0, 0))
    os.chmod("/opt/ml/model/moved.bin", 0o600)
    os.statvfs("/opt/ml/model")
    os.pathconf("/opt/ml/model", "PC_NAME_MAX")
    shutil.move("/opt/ml/model/moved.bin", "/opt/ml/output/data/moved.bin")
    # Child processes get the mapped command, executable and working folder.
    child = subprocess.run(["cat", "/opt/ml/model/latest"], capture_output=True, text=True, cwd="/opt/ml/model")
    shell = subprocess.run("cat /opt/ml/model/latest", shell=True, capture_output=True, text=True)
    print(child.stdout + "|" + shell.stdout + "|" + os.readlink("/opt/ml/model/latest"))
"""


def test_the_whole_family_of_path_calls_is_mapped_as_the_repack_step_uses_it(tmp_path):
    import tarfile

    sandbox = tmp_path / "opt" / "ml"
    for folder in ("input/data/training", "code", "model", "output/data"):
        (sandbox / folder).mkdir(parents=True)
    (tmp_path / "weights.bin").write_text("weights")
    with tarfile.open(sandbox / "input" / "data" / "training" / "model.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "weights.bin", arcname="weights.bin")
    (sandbox / "code" / "inference.py").write_text("def model_fn(d):\n    return d\n")
    result = run(tmp_path, REPACK_SCRIPT, {"SLIPWAY_OPT_ML": str(sandbox)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "weights|weights|%s" % (sandbox / "model" / "weights.bin")
    assert (sandbox / "model" / "weights.bin").read_text() == "weights"
    assert (sandbox / "model" / "code" / "inference.py").is_file()
    assert (sandbox / "output" / "data" / "moved.bin").read_text() == "we"


def test_library_functions_that_open_from_c_are_mapped_once_imported(tmp_path):
    # A stand-in for torch: a package whose save() writes through a C-like path API (os.open is mapped, so use
    # the unmapped original to prove that the wrapper, not the os layer, did the mapping).
    package = tmp_path / "lib" / "torch"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import posix\n"
        "def save(obj, f):\n"
        "    fd = posix.open(f, posix.O_WRONLY | posix.O_CREAT, 0o644)\n"
        "    posix.write(fd, obj.encode())\n"
        "    posix.close(fd)\n"
        "def load(f):\n"
        "    fd = posix.open(f, posix.O_RDONLY)\n"
        "    data = posix.read(fd, 100).decode()\n"
        "    posix.close(fd)\n"
        "    return data\n"
    )
    sandbox = tmp_path / "opt" / "ml"
    (sandbox / "model").mkdir(parents=True)
    script = "import torch; torch.save('state', '/opt/ml/model/model.pth'); print(torch.load('/opt/ml/model/model.pth'))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": HOOK_DIR + os.pathsep + str(tmp_path / "lib"), "SLIPWAY_OPT_ML": str(sandbox)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "state"
    assert (sandbox / "model" / "model.pth").read_text() == "state"


def test_without_slipway_opt_ml_nothing_is_mapped(tmp_path):
    result = run(tmp_path, "import builtins; print(getattr(builtins.open, '__slipway_mapped__', False))", {"SLIPWAY_OPT_ML": ""})
    assert result.stdout.strip() == "False"


def test_another_sitecustomize_further_along_the_path_still_runs(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os\nos.environ['OTHER_HOOK_RAN'] = 'yes'\n")
    result = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('OTHER_HOOK_RAN'))"],
        env={**os.environ, "PYTHONPATH": HOOK_DIR + os.pathsep + str(other), "SLIPWAY_OPT_ML": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout.strip() == "yes", result.stderr


def test_the_launcher_ends_the_job_when_the_runner_dies(tmp_path):
    # A stand-in runner starts a long job through the launcher and is then killed with SIGKILL.
    pid_file = tmp_path / "job.pid"
    job = tmp_path / "job.py"
    job.write_text("import os, time\nopen(%r, 'w').write(str(os.getpid()))\ntime.sleep(60)\n" % str(pid_file))
    launcher = os.path.join(PYTHON_ROOT, "job_launcher.py")
    runner = (
        "import os, subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, %r, str(os.getpid()), sys.executable, %r], start_new_session=True)\n"
        "time.sleep(60)\n" % (launcher, str(job))
    )
    process = subprocess.Popen([sys.executable, "-c", runner])
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the job did not start"
        time.sleep(0.05)
    job_pid = int(pid_file.read_text())
    process.kill()
    process.wait(5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(job_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(job_pid, signal.SIGKILL)
    raise AssertionError("the job outlived its runner")
