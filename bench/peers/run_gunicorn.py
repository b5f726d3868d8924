"""Runs gunicorn in the model's runtime (its numpy and scikit-learn come first) with the packages of another
venv (the tools venv: gunicorn, Flask, gevent) after them on sys.path. PYTHONPATH would put them first.

python run_gunicorn.py EXTRA_SITE_PACKAGES [gunicorn arguments...]
"""
import sys

sys.path.append(sys.argv.pop(1))

from gunicorn.app.wsgiapp import run  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "gunicorn"
    sys.exit(run())
