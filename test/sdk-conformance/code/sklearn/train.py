"""An SKLearn estimator's entry point: hyperparameters as arguments, SM_* variables for the folders."""
import argparse
import os

import joblib
import pandas
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
# The training toolkit passes a one-letter hyperparameter as `-C 2.0`.
parser.add_argument("-C", "--C", dest="C", type=float, default=1.0)
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
args = parser.parse_args()

frame = pandas.read_csv(os.path.join(args.train, "train.csv"), header=None)
model = LogisticRegression(C=args.C).fit(frame.iloc[:, 1:].values, frame.iloc[:, 0].values)
print("train accuracy %.3f" % model.score(frame.iloc[:, 1:].values, frame.iloc[:, 0].values))
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
