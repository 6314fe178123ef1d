"""Batch scoring for the smoke suite: MODEL_URI INPUT.csv OUTPUT.csv."""
import sys
import warnings

import mlflow.pyfunc
import pandas as pd

warnings.filterwarnings("ignore")
uri, src, dst = sys.argv[1:4]
model = mlflow.pyfunc.load_model(uri)
df = pd.read_csv(src)
pd.DataFrame({"prediction": model.predict(df[["a", "b"]]).astype(float)}).to_csv(dst, index=False)
