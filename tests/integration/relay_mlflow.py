"""The MLflow side of t_relay_mlflow.sh: with MLflow's own client, create a
webhook pointing at the relay (with a secret), test it, then register a
model version and set an alias on it: the server itself signs and sends
model_version.created and model_version_alias.created.

    python relay_mlflow.py TRACKING_URI RELAY_URL SECRET MODEL

Prints "webhook-test STATUS" (the relay's answer to MLflow's test delivery).
"""

import sys

from mlflow import MlflowClient


def main():
    uri, url, secret, model = sys.argv[1:5]
    c = MlflowClient(tracking_uri=uri, registry_uri=uri)
    # the webhook first: the server caches each event's webhooks for a while
    hook = c.create_webhook(
        name=model + "-relay",
        url=url,
        events=["model_version.created", "model_version_alias.created"],
        secret=secret,
    )
    # MLflow's test payload names a model no route matches: verified, then ignored (200)
    result = c.test_webhook(hook.webhook_id, event="model_version_alias.created")
    print("webhook-test", result.response_status, result.success)
    run = c.create_run(c.create_experiment(model)).info.run_id
    c.create_registered_model(model)
    mv = c.create_model_version(model, f"runs:/{run}/model", run_id=run, description="relay test")
    c.set_registered_model_alias(model, "champion", mv.version)
    print("version", mv.version)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
