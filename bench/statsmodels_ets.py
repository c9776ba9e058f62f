"""statsmodels ETS forecasts for bench/forecast_bench.ts (run only when statsmodels is installed).

Reads JSON from the file named by the first argument: {"model": "hw" | "ets", "period": 24, "horizon": H, "series": [[...], ...]}
and writes JSON to stdout: one list of H forecasts per series. `hw` is Holt-Winters
(ExponentialSmoothing, additive season, no trend, estimated initial states); `ets` is the state
space ETS(A,N,A) (ETSModel, maximum likelihood).
"""
import json
import sys
import warnings

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.filterwarnings("ignore")
with open(sys.argv[1]) as f:
    job = json.load(f)
out = []
for values in job["series"]:
    y = np.asarray(values, dtype=float)
    if job["model"] == "hw":
        fit = ExponentialSmoothing(
            y, trend=None, seasonal="add", seasonal_periods=job["period"],
            initialization_method="estimated",
        ).fit()
    else:
        fit = ETSModel(
            y, error="add", trend=None, seasonal="add", seasonal_periods=job["period"],
        ).fit(disp=False)
    out.append([float(v) for v in fit.forecast(job["horizon"])])
json.dump(out, sys.stdout)
