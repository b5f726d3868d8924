"""SageMaker's built-in XGBoost algorithm, as the sagemaker-xgboost image runs it when a job has no script.

Reads the job's hyperparameters (/opt/ml/input/config/hyperparameters.json, checked against the algorithm's
documented ones), the `train` channel and the optional `validation` channel in `text/csv` (label first, no header;
with csv_weights=1 the instance weight second) or `text/libsvm` (the default), trains with xgboost.train, logs each
round's evaluation as `[N]#011train-rmse:…#011validation-rmse:…` (what SageMaker's metric definitions for the
algorithm read, e.g. validation:rmse) and saves the booster to /opt/ml/model/xgboost-model in XGBoost's own
format. A user error (a bad hyperparameter, a missing channel, unreadable data) writes /opt/ml/output/failure and
exits 1.
"""
import json
import os
import sys

# The algorithm's documented hyperparameters, with their type (None: passed through as given).
HYPERPARAMETERS = {
    "num_round": int, "num_class": int, "alpha": float, "base_score": float, "booster": str,
    "colsample_bylevel": float, "colsample_bynode": float, "colsample_bytree": float, "csv_weights": int,
    "deterministic_histogram": str, "early_stopping_rounds": int, "eta": float, "eval_metric": str, "gamma": float,
    "grow_policy": str, "interaction_constraints": str, "lambda": float, "lambda_bias": float, "max_bin": int,
    "max_delta_step": float, "max_depth": int, "max_leaves": int, "min_child_weight": float,
    "monotone_constraints": str, "normalize_type": str, "nthread": int, "num_parallel_tree": int, "objective": str,
    "one_drop": int, "process_type": str, "rate_drop": float, "refresh_leaf": int, "sample_type": str,
    "sampling_method": str, "scale_pos_weight": float, "seed": int, "single_precision_histogram": str,
    "sketch_eps": float, "skip_drop": float, "subsample": float, "tree_method": str, "tweedie_variance_power": float,
    "updater": str, "verbosity": int, "save_model_on_termination": str, "prob_buffer_row": float,
    "_tuning_objective_metric": str, "_kfold": int, "_num_cv_round": int, "use_dask_gpu_training": str,
}
RANGES = {
    "num_round": (1, None), "eta": (0.0, 1.0), "subsample": (0.0, 1.0), "max_depth": (0, None),
    "min_child_weight": (0.0, None), "gamma": (0.0, None), "colsample_bytree": (0.0, 1.0),
    "colsample_bylevel": (0.0, 1.0), "colsample_bynode": (0.0, 1.0), "num_class": (1, None),
    "early_stopping_rounds": (1, None), "csv_weights": (0, 1),
}
# Hyperparameters of the container, not of xgboost.train.
NOT_PARAMS = ("num_round", "early_stopping_rounds", "csv_weights", "save_model_on_termination",
              "_tuning_objective_metric", "_kfold", "_num_cv_round", "use_dask_gpu_training", "prob_buffer_row")
MODEL_FILE = "xgboost-model"


class UserError(Exception):
    """The job's own mistake (the container's ClientError)."""


def _opt_ml(*parts):
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR") or "/opt/ml", *parts)


def read_hyperparameters(path):
    with open(path) as handle:
        raw = json.load(handle)
    checked = {}
    unknown = sorted(name for name in raw if name not in HYPERPARAMETERS)
    if unknown:
        raise UserError(
            "Extraneous hyperparameter(s) found: %s. The XGBoost algorithm takes %s"
            % (", ".join(unknown), ", ".join(sorted(n for n in HYPERPARAMETERS if not n.startswith("_"))))
        )
    for name, value in raw.items():
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        kind = HYPERPARAMETERS[name]
        try:
            value = kind(value) if kind is not str else (value if isinstance(value, str) else json.dumps(value))
        except (TypeError, ValueError):
            raise UserError("Hyperparameter %s: %r is not a valid %s" % (name, value, kind.__name__))
        low, high = RANGES.get(name, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise UserError("Hyperparameter %s: %r is out of range [%s, %s]" % (name, value, low, high or "inf"))
        checked[name] = value
    if "num_round" not in checked:
        raise UserError("Missing required hyperparameter: num_round")
    if str(checked.get("objective", "")).startswith("multi:") and "num_class" not in checked:
        raise UserError("Hyperparameter num_class is required for objective %s" % checked["objective"])
    return checked


def channel_format(data_config, channel):
    content_type = ((data_config.get(channel) or {}).get("ContentType") or "text/libsvm").lower()
    content_type = content_type.split(";")[0].strip()
    if content_type in ("text/csv", "csv"):
        return "csv"
    if content_type in ("text/libsvm", "libsvm", "text/x-libsvm"):
        return "libsvm"
    raise UserError(
        "Content type %s of channel %s is not supported: use text/csv or text/libsvm "
        "(application/x-parquet and application/x-recordio-protobuf are not emulated locally)" % (content_type, channel)
    )


def data_files(folder):
    files = []
    for root, _dirs, names in os.walk(folder):
        files.extend(os.path.join(root, name) for name in names if not name.startswith("."))
    return sorted(files)


def load_channel(folder, kind, csv_weights, n_features=None):
    import numpy
    import xgboost as xgb

    files = data_files(folder)
    if not files:
        raise UserError("No data in the channel folder %s" % folder)
    if kind == "csv":
        blocks = []
        for path in files:
            try:
                block = numpy.loadtxt(path, delimiter=",", dtype=numpy.float32, ndmin=2)
            except ValueError as error:
                raise UserError("Could not read %s as CSV (label first, no header): %s" % (os.path.basename(path), error))
            if block.size:
                blocks.append(block)
        if not blocks:
            raise UserError("No data in the channel folder %s" % folder)
        table = numpy.vstack(blocks)
        first = 2 if csv_weights else 1
        weights = table[:, 1] if csv_weights else None
        return xgb.DMatrix(table[:, first:], label=table[:, 0], weight=weights), table.shape[1] - first
    from sklearn.datasets import load_svmlight_files

    try:
        loaded = load_svmlight_files(files, n_features=n_features, zero_based=True)
    except ValueError as error:
        raise UserError("Could not read the libsvm data in %s: %s" % (folder, error))
    import scipy.sparse

    matrix = scipy.sparse.vstack(loaded[0::2]).tocsr()
    labels = numpy.concatenate(loaded[1::2])
    return xgb.DMatrix(matrix, label=labels), matrix.shape[1]


class _LogRounds:
    """Prints each round's evaluation the way the algorithm's log shows it in CloudWatch."""

    def __init__(self):
        import xgboost as xgb

        class Callback(xgb.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):
                parts = ["[%d]" % epoch]
                for data, metrics in evals_log.items():
                    for metric, values in metrics.items():
                        parts.append("%s-%s:%.5f" % (data, metric, float(values[-1])))
                print("#011".join(parts), flush=True)
                return False

        self.callback = Callback()


def train():
    import xgboost as xgb

    config_dir = os.environ.get("SM_INPUT_CONFIG_DIR") or _opt_ml("input", "config")
    hyperparameters = read_hyperparameters(os.path.join(config_dir, "hyperparameters.json"))
    with open(os.path.join(config_dir, "inputdataconfig.json")) as handle:
        data_config = json.load(handle)
    if "train" not in data_config:
        raise UserError("The XGBoost algorithm needs a train channel (got %s)" % (", ".join(sorted(data_config)) or "none"))
    extra = sorted(set(data_config) - {"train", "validation"})
    if extra:
        print("Ignoring channel(s) the algorithm does not read: %s" % ", ".join(extra), flush=True)
    data_dir = _opt_ml("input", "data")
    kind = channel_format(data_config, "train")
    csv_weights = hyperparameters.get("csv_weights", 0)
    dtrain, n_features = load_channel(os.environ.get("SM_CHANNEL_TRAIN") or os.path.join(data_dir, "train"), kind, csv_weights)
    evals = [(dtrain, "train")]
    if "validation" in data_config:
        validation_kind = channel_format(data_config, "validation")
        dvalidation, _ = load_channel(
            os.environ.get("SM_CHANNEL_VALIDATION") or os.path.join(data_dir, "validation"),
            validation_kind,
            0,
            n_features if validation_kind == "libsvm" else None,
        )
        evals.append((dvalidation, "validation"))
    params = {name: value for name, value in hyperparameters.items() if name not in NOT_PARAMS}
    if "eval_metric" in params:
        params["eval_metric"] = [metric.strip() for metric in str(params["eval_metric"]).split(",") if metric.strip()]
    print("Train matrix has %d rows and %d columns" % (dtrain.num_row(), dtrain.num_col()), flush=True)
    if len(evals) > 1:
        print("Validation matrix has %d rows" % evals[1][0].num_row(), flush=True)
    try:
        booster = xgb.train(
            params,
            dtrain,
            num_boost_round=hyperparameters["num_round"],
            evals=evals,
            early_stopping_rounds=hyperparameters.get("early_stopping_rounds"),
            callbacks=[_LogRounds().callback],
            verbose_eval=False,
        )
    except xgb.core.XGBoostError as error:
        raise UserError("XGBoost could not train with these hyperparameters and data: %s" % str(error).strip().splitlines()[0])
    model_dir = os.environ.get("SM_MODEL_DIR") or _opt_ml("model")
    os.makedirs(model_dir, exist_ok=True)
    booster.save_model(os.path.join(model_dir, MODEL_FILE))
    print("Stored the trained model at %s" % os.path.join(model_dir, MODEL_FILE), flush=True)


def main():
    try:
        train()
    except UserError as error:
        message = str(error)
        print("ClientError: %s" % message, file=sys.stderr, flush=True)
        output = os.environ.get("SM_OUTPUT_DIR") or _opt_ml("output")
        os.makedirs(output, exist_ok=True)
        with open(os.path.join(output, "failure"), "w") as handle:
            handle.write("ClientError: %s" % message)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
