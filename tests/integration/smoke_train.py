"""Train a tiny scikit-learn model on the committed smoke sample, log it to the
MLflow server at MLFLOW_TRACKING_URI and register it; print the model URI."""
import sys
import warnings

import mlflow
import pandas as pd
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
sample, name = sys.argv[1], sys.argv[2]
df = pd.read_csv(sample)
X, y = df[["a", "b"]], df["label"]
model = LogisticRegression().fit(X, y)
mlflow.set_experiment("smoke")
with mlflow.start_run():
    info = mlflow.sklearn.log_model(model, name="model", input_example=X.head(2),
                                    registered_model_name=name)
print("models:/%s/%s" % (name, info.registered_model_version))
