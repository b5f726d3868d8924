"""The inference script the repack step puts under code/ in model.tar.gz."""
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
