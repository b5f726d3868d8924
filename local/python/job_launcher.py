"""python job_launcher.py PARENT_PID COMMAND [ARG...]: exec COMMAND, killed if the parent (the runner) dies.

The local runners start every job through this launcher so that a crashed or `kill -9`ed server leaves no job
running on: on Linux the kernel sends SIGKILL to the job when its parent dies (PR_SET_PDEATHSIG survives exec).
Where that is not available the command simply runs.
"""
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main():
    parent, command = int(sys.argv[1]), sys.argv[2:]
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (AttributeError, OSError):
            pass
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(128 + signal.SIGKILL)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
