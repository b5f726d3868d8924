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
