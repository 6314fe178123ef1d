/*
 * The environment every gate reads, for the ENVIRONMENT section of the man
 * pages (opts.h struct mg_doc_item; a main lists the tables it uses in its
 * spec's .env). The reference: docs/registry.md, docs/databricks.md,
 * docs/promote.md.
 */
#include "setup.h"
#include "gate.h"

const struct mg_doc_item mg_gate_env_registry[] = {
        {"MLFLOW_REGISTRY_URI, MLFLOW_TRACKING_URI",
         "the registry when --registry is not given, in this order; without either, "
         "sqlite:///mlflow.db (MLflow's own SQLite store in the current directory)"},
        {"MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD",
         "HTTP Basic credentials for an MLflow server (both or neither)"},
        {"MLFLOW_TRACKING_TOKEN", "a bearer token for an MLflow server"},
        {"MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH, "
         "MLFLOW_TRACKING_CLIENT_CERT_PATH",
         "TLS: skip verification, the CA bundle to verify the server against, a client "
         "certificate and key"},
        {"MLFLOW_HTTP_REQUEST_TIMEOUT, MLFLOW_HTTP_REQUEST_MAX_RETRIES, "
         "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR, MLFLOW_HTTP_REQUEST_BACKOFF_JITTER, "
         "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER",
         "MLflow's retry policy, with MLflow's defaults; each retry is said on stderr"},
        {"MLFLOW_WORKSPACE", "sent as the X-MLFLOW-WORKSPACE header"},
        {"DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET",
         "Databricks registries (databricks, databricks-uc): the workspace with a personal "
         "access or Azure AD token, or a service principal's OAuth machine-to-machine "
         "credentials"},
        {"DATABRICKS_CONFIG_PROFILE, DATABRICKS_CONFIG_FILE",
         "a profile of the Databricks configuration file (default ~/.databrickscfg)"},
        {"MLGATE_SQLITE_TIMEOUT",
         "seconds to wait for a locked SQLite store (default 30, 0 to 3600)"},
        {"MLGATE_HTTP_MAX_BODY", "the largest registry answer accepted, in bytes"},
        {NULL, NULL},
};

const struct mg_doc_item mg_gate_env_common[] = {
        {"MLGATE_EVIDENCE_KEY",
         "a secret of at least 16 bytes: every gate signs its evidence with HMAC-SHA256 under "
         "it, and promote and release refuse evidence without a valid signature; set but "
         "shorter is exit 2; never printed"},
        {"MLGATE_DEBUG", "true: log every registry request with its timing on stderr"},
        {"GITHUB_ACTIONS, TF_BUILD",
         "the CI --ci writes for by default: GitHub Actions when GITHUB_ACTIONS is true, Azure "
         "Pipelines when TF_BUILD is true"},
        {"GITHUB_OUTPUT, GITHUB_STEP_SUMMARY",
         "in GitHub Actions, where the step outputs (verdict, tests, failures, errors, skipped, "
         "failed-checks) and the job summary go"},
        {"MLGATE_REPORT_URL",
         "compare and promote --log-artifact on a Databricks workspace registry: where CI "
         "publishes the HTML report, linked from the comment (default: the CI run)"},
        {NULL, NULL},
};
