"""A processing script in the style of the SDK's abalone example: reads a CSV, writes evaluation.json."""
import json
import os

import pandas
import sklearn
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error

frame = pandas.read_csv("/opt/ml/processing/input/data.csv", header=None)
model = LinearRegression().fit(frame.iloc[:, 1:], frame.iloc[:, 0])
mse = mean_squared_error(frame.iloc[:, 0], model.predict(frame.iloc[:, 1:]))
os.makedirs("/opt/ml/processing/evaluation", exist_ok=True)
with open("/opt/ml/processing/evaluation/evaluation.json", "w") as handle:
    json.dump(
        {
            "regression_metrics": {"mse": {"value": float(mse), "standard_deviation": "NaN"}},
            "versions": {"sklearn": sklearn.__version__, "pandas": pandas.__version__},
        },
        handle,
    )
print("mse", mse)
