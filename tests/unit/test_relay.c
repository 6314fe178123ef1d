#include "setup.h"
#include "unit.h"
#include "relay_config.h"
#include "relay_event.h"
#include "relay_queue.h"

#include <sys/stat.h>
#include <unistd.h>

/*
 * Known answers: the research vectors (shared/reference/webhook-vectors.json),
 * computed with Python's hmac and checked with openssl dgst.
 */
#define MLF_SECRET "my-webhook-secret"
#define MLF_ID     "3f1c2b7a-9d4e-4c1b-8a2f-6e5d4c3b2a10"
#define MLF_TS     "1767225600"
#define MLF_BODY                                                                           \
	"{\"entity\": \"model_version_alias\", \"action\": \"created\", \"timestamp\": "   \
	"\"2026-01-01T00:00:00+00:00\", \"data\": {\"name\": \"fraud-model\", \"alias\": " \
	"\"champion\", \"version\": \"7\"}}"
#define MLF_SIG    "v1,maFV8HmXuIyiVrO4YV8kOfuEl22FBOUNmU5uj9aLAuM="
#define MLF_LEGACY "sha256=9b5f25efc091262fa43731105b93eb5a87547cfc7ae30a49e149aa6d603707c5"

#define DB_SECRET "anyRandomString"
#define DB_BODY(v)                                                                               \
	"{\"event\":\"MODEL_VERSION_TRANSITIONED_STAGE\",\"webhook_id\":"                        \
	"\"c5596721253c4b429368cf6f4341b88a\",\"event_timestamp\":1589859029343,\"model_name\":" \
	"\"Airline_Delay_SparkML\",\"version\":\"" v "\",\"to_stage\":\"Production\","           \
	"\"from_stage\":\"None\",\"text\":\"Registered model 'someModel' version 8 "             \
	"transitioned from None to Production.\"}"
#define DB_SIG          "0f7af7f4db5d5c15092824ca88ec79a01b0c64758b1e6280ba7b57af8a010b01"
#define DB_SIG_B64      "D3r39NtdXBUJKCTKiOx5oBsMZHWLHmKAuntXr4oBCwE="
#define DB_SIG_TAMPERED "3456be6a7de24fd7ba35221aae77c06de8e1472046cff2b5869a853a514eba98"
#define DB_KEY          "databricks:6e82db170024cdc0a14ee1fbeb071f3d01456c04661e2b82a3e4a352cf03f4fa"

#define ADO_SECRET "ado-incoming-secret"
#define FLAT_PAYLOAD                                                                          \
	"{\"source\":\"mlflow\",\"event\":\"model_version_alias.created\",\"model\":\"fraud-" \
	"model\",\"version\":\"7\",\"alias\":\"champion\",\"dedupe_key\":\"mlflow:" MLF_ID "\"}"
#define ADO_SHA1 "8661dd95f01c547144c62e485c772364305c78a7"
#define GH_BODY  "{\"event_type\":\"model-promotion-gate\",\"client_payload\":" FLAT_PAYLOAD "}"

static struct mg_relay_source source(enum mg_relay_source_type type, char *s1, char *s2, long win)
{
	struct mg_relay_source s;

	memset(&s, 0, sizeof(s));
	s.name = (char *)(type == MG_RELAY_SRC_MLFLOW ? "mlflow" : "databricks");
	s.type = type;
	s.secrets[0] = s1;
	s.secrets[1] = s2;
	s.window_s = win;
	return s;
}

static void test_relay__mlflow_signature(void)
{
	char secret[] = MLF_SECRET, old[] = "the-previous-secret";
	struct mg_relay_source s = source(MG_RELAY_SRC_MLFLOW, secret, NULL, 0);
	struct mg_relay_source rot = source(MG_RELAY_SRC_MLFLOW, old, secret, 300);
	struct mg_relay_source wrong = source(MG_RELAY_SRC_MLFLOW, old, NULL, 0);
	struct mg_relay_event ev;
	const size_t n = strlen(MLF_BODY);
	const time_t t = 1767225600;

	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, 0, &ev),
	                MG_RELAY_OK);
	ASSERT_STR(ev.key, "mlflow:" MLF_ID);
	/* rotation: the second secret matches; within the window on either side */
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&rot, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, t + 299, &ev),
	        MG_RELAY_OK);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&rot, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, t - 300, &ev),
	        MG_RELAY_OK);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&rot, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, t + 301, &ev),
	        MG_RELAY_STALE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&rot, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, t - 301, &ev),
	        MG_RELAY_STALE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&wrong, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n, 0, &ev),
	        MG_RELAY_BAD_SIGNATURE);
	/* the signed string binds the id and the timestamp, and every byte of the body */
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, "3f1c2b7a-9d4e-4c1b-8a2f-6e5d4c3b2a11", MLF_TS,
	                                       MLF_SIG, MLF_BODY, n, 0, &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&s, MLF_ID, "1767225601", MLF_SIG, MLF_BODY, n, 0, &ev),
	        MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, MLF_SIG, MLF_BODY, n - 1, 0, &ev),
	        MG_RELAY_BAD_SIGNATURE);
	/* the pre-release scheme, a truncated or padded signature, missing headers */
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, MLF_LEGACY, MLF_BODY, n, 0, &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, "v1,maFV8HmXuIyiVrO4YV8kOfuEl22",
	                                       MLF_BODY, n, 0, &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, MLF_SIG "x", MLF_BODY, n, 0, &ev),
	        MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, MLF_ID, MLF_TS, NULL, MLF_BODY, n, 0, &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, NULL, MLF_TS, MLF_SIG, MLF_BODY, n, 0, &ev),
	                MG_RELAY_MISSING);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_mlflow(&s, MLF_ID, "17672256.00", MLF_SIG, MLF_BODY, n, 0, &ev),
	        MG_RELAY_MISSING);
	CU_ASSERT_EQUAL(mg_relay_verify_mlflow(&s, "a.b", MLF_TS, MLF_SIG, MLF_BODY, n, 0, &ev),
	                MG_RELAY_MISSING);
}

static void test_relay__databricks_signature(void)
{
	char secret[] = DB_SECRET, other[] = "x", auth[] = "Bearer abc";
	struct mg_relay_source s = source(MG_RELAY_SRC_DATABRICKS, other, secret, 0);
	struct mg_relay_event ev;
	const char *body = DB_BODY("8"), *body9 = DB_BODY("9");

	CU_ASSERT_EQUAL(strlen(body), 305);
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(&s, DB_SIG, NULL, body, strlen(body), &ev),
	                MG_RELAY_OK);
	ASSERT_STR(ev.key, DB_KEY);
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(
	                        &s,
	                        "0F7AF7F4DB5D5C15092824CA88EC79A01B0C64758B1E6280BA7B57AF8A010B01",
	                        NULL, body, strlen(body), &ev),
	                MG_RELAY_OK);
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(&s, DB_SIG_B64, NULL, body, strlen(body), &ev),
	                MG_RELAY_OK);
	/* the signature of the version-9 body must not pass for the version-8 one, nor the reverse
	 */
	CU_ASSERT_EQUAL(
	        mg_relay_verify_databricks(&s, DB_SIG_TAMPERED, NULL, body, strlen(body), &ev),
	        MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(&s, DB_SIG, NULL, body9, strlen(body9), &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_databricks(&s, DB_SIG_TAMPERED, NULL, body9, strlen(body9), &ev),
	        MG_RELAY_OK);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_databricks(&s, "sha256=" DB_SIG, NULL, body, strlen(body), &ev),
	        MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(&s, NULL, NULL, body, strlen(body), &ev),
	                MG_RELAY_BAD_SIGNATURE);
	/* an expected Authorization must be there, exactly */
	s.authorization = auth;
	CU_ASSERT_EQUAL(mg_relay_verify_databricks(&s, DB_SIG, NULL, body, strlen(body), &ev),
	                MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_databricks(&s, DB_SIG, "Bearer abd", body, strlen(body), &ev),
	        MG_RELAY_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(
	        mg_relay_verify_databricks(&s, DB_SIG, "Bearer abc", body, strlen(body), &ev),
	        MG_RELAY_OK);
}

static void test_relay__hmac_primitives(void)
{
	char out[65], out1[41];

	/* RFC 4231 test case 2 */
	mg_relay_hmac_sha256_hex("Jefe", "what do ya want for nothing?", 28, out);
	ASSERT_STR(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* GitHub's published webhook example, both digests */
	mg_relay_hmac_sha256_hex("It's a Secret to Everybody", "Hello, World!", 13, out);
	ASSERT_STR(out, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
	mg_relay_hmac_sha1_hex("It's a Secret to Everybody", "Hello, World!", 13, out1);
	ASSERT_STR(out1, "01dc10d0c83e72ed246219cdd91669667fe2ca59");
}

static const char config_text[] =
        "{\"version\": 1,"
        " \"sources\": {\"mlflow\": {\"type\": \"mlflow\", \"secrets\": [{\"env\": \"A\"}]},"
        "  \"db\": {\"type\": \"databricks\", \"secrets\": [{\"env\": \"B\"}], \"window_s\": 0}},"
        " \"targets\": {\"gh\": {\"type\": \"github\", \"repo\": \"acme/models\","
        "   \"event_type\": \"model-promotion-gate\", \"token_env\": \"T\"},"
        "  \"wf\": {\"type\": \"github-workflow\", \"repo\": \"acme/models\", \"workflow\":"
        "   \"promote.yml\", \"token_env\": \"T\", \"inputs\": {\"model\": \"{model}\","
        "   \"version\": \"v{version}\", \"why\": \"{event} {alias}{stage}\"}},"
        "  \"ado\": {\"type\": \"azure\", \"org\": \"acme\", \"webhook\": \"RegistryGate\","
        "   \"secret_env\": \"S\"}},"
        " \"routes\": ["
        "  {\"sources\": [\"mlflow\"], \"models\": [\"fraud-*\"], \"events\":"
        "   [\"model_version_alias.created\"], \"aliases\": [\"champion\"], \"targets\":"
        "   [\"gh\", \"ado\"]},"
        "  {\"models\": [\"*\"], \"events\": [\"model_version_alias.created\"], \"targets\":"
        "   [\"wf\", \"gh\"]},"
        "  {\"sources\": [\"db\"], \"stages\": [\"production\"], \"targets\": [\"ado\"]}]}";

static void test_relay__payload_routes_and_bodies(void)
{
	struct mg_relay_config cfg;
	struct mg_err err = MG_ERR_INIT;
	struct mg_relay_event ev;
	struct mg_buf payload = MG_BUF_INIT(MG_BUF_SMALL), body = MG_BUF_INIT(MG_BUF_SMALL);
	const struct mg_relay_source *mlf, *db;
	size_t idx[3], n;
	char mac[41];
	const char *dbody = DB_BODY("8");

	CU_ASSERT_EQUAL_FATAL(
	        mg_relay_config_parse(config_text, strlen(config_text), "t", &cfg, &err), 0);
	mlf = mg_relay_config_source(&cfg, "mlflow");
	db = mg_relay_config_source(&cfg, "db");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mlf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	ASSERT_STR(cfg.targets[0].url, "https://api.github.com/repos/acme/models/dispatches");
	ASSERT_STR(cfg.targets[1].url, "https://api.github.com/repos/acme/models/actions/workflows/"
	                               "promote.yml/dispatches");
	ASSERT_STR(cfg.targets[2].url, "https://dev.azure.com/acme/_apis/public/distributedtask/"
	                               "webhooks/RegistryGate?api-version=6.0-preview");

	/* the MLflow vector: its flat payload, Azure checksum and GitHub body are the vectors' */
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.key, sizeof(ev.key), "mlflow:%s", MLF_ID);
	CU_ASSERT_EQUAL(mg_relay_event_parse(mlf, MLF_BODY, strlen(MLF_BODY), 0, &ev), MG_RELAY_OK);
	ASSERT_STR(ev.event, "model_version_alias.created");
	ASSERT_STR(ev.model, "fraud-model");
	ASSERT_STR(ev.version, "7");
	ASSERT_STR(ev.alias, "champion");
	mg_relay_payload(mlf, &ev, &payload);
	ASSERT_STR(payload.buf, FLAT_PAYLOAD);
	mg_relay_hmac_sha1_hex(ADO_SECRET, payload.buf, payload.len, mac);
	ASSERT_STR(mac, ADO_SHA1);
	CU_ASSERT_EQUAL(mg_relay_forward_body(&cfg.targets[0], payload.buf, &body), 0);
	ASSERT_STR(body.buf, GH_BODY);
	CU_ASSERT_EQUAL(body.len, 226);
	mg_buf_reset(&body);
	CU_ASSERT_EQUAL(mg_relay_forward_body(&cfg.targets[1], payload.buf, &body), 0);
	ASSERT_STR(body.buf, "{\"ref\":\"main\",\"inputs\":{\"model\":\"fraud-model\",\"version\":"
	                     "\"v7\",\"why\":\"model_version_alias.created champion\"}}");
	mg_buf_reset(&body);
	CU_ASSERT_EQUAL(mg_relay_forward_body(&cfg.targets[2], payload.buf, &body), 0);
	ASSERT_STR(body.buf, FLAT_PAYLOAD);

	/* routes: both match, each target once, in order of first match */
	n = mg_relay_route(&cfg, mlf, &ev, idx);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(idx[0] == 0 && idx[1] == 2 && idx[2] == 1);
	snprintf(ev.alias, sizeof(ev.alias), "challenger");
	n = mg_relay_route(&cfg, mlf, &ev, idx);
	CU_ASSERT(n == 2 && idx[0] == 1 && idx[1] == 0);
	snprintf(ev.event, sizeof(ev.event), "model_version.created");
	CU_ASSERT_EQUAL(mg_relay_route(&cfg, mlf, &ev, idx), 0);

	/* Databricks: stage matched without case; the routes of other sources do not apply */
	CU_ASSERT_EQUAL(mg_relay_event_parse(db, dbody, strlen(dbody), 0, &ev), MG_RELAY_OK);
	ASSERT_STR(ev.model, "Airline_Delay_SparkML");
	ASSERT_STR(ev.stage, "Production");
	ASSERT_STR(ev.event, "MODEL_VERSION_TRANSITIONED_STAGE");
	n = mg_relay_route(&cfg, db, &ev, idx);
	CU_ASSERT(n == 1 && idx[0] == 2);

	/* names that could reach a template or a shell are refused; shapes are checked */
	{
		const char *b = "{\"entity\":\"model_version\",\"action\":\"created\","
		                "\"data\":{\"name\":\"m${{x}}\",\"version\":\"1\"}}";

		CU_ASSERT_EQUAL(mg_relay_event_parse(mlf, b, strlen(b), 0, &ev), MG_RELAY_INVALID);
	}
	CU_ASSERT_EQUAL(mg_relay_event_parse(mlf, "{\"entity\":\"x\"}", 14, 0, &ev),
	                MG_RELAY_MALFORMED);
	CU_ASSERT_EQUAL(mg_relay_event_parse(mlf, "[]", 2, 0, &ev), MG_RELAY_MALFORMED);
	CU_ASSERT_EQUAL(mg_relay_event_parse(db, "{\"model_name\":\"m\"}", 18, 0, &ev),
	                MG_RELAY_MALFORMED);

	mg_buf_release(&payload);
	mg_buf_release(&body);
	mg_relay_config_release(&cfg);
}

static void config_error(const char *text, const char *expect)
{
	struct mg_relay_config cfg;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(
	        mg_relay_config_parse(text, strlen(text), "relay config 'r.json'", &cfg, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	if (!strstr(err.msg, expect))
		fprintf(stderr, "\nexpected '%s' in: %s\n", expect, err.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, expect));
}

#define SRC "\"sources\":{\"m\":{\"type\":\"mlflow\",\"secrets\":[{\"env\":\"A\"}]}}"
#define TGT                                                                               \
	"\"targets\":{\"gh\":{\"type\":\"github\",\"repo\":\"a/b\",\"event_type\":\"e\"," \
	"\"token_env\":\"T\"}}"
#define RT "\"routes\":[{\"targets\":[\"gh\"]}]"

static void test_relay__config_errors(void)
{
	config_error("{\"version\":1," SRC "," TGT "," RT ",\"listen\":{\"prot\":1}}",
	             "relay config 'r.json': listen.prot: unknown key (expected one of: address, "
	             "port, max_body");
	config_error("{\"version\":1," SRC "," TGT ",\"routes\":[{\"targets\":[\"gh2\"]}]}",
	             "routes[0].targets: no target is named 'gh2'");
	config_error("{\"version\":1," SRC "," TGT ",\"routes\":[{\"sources\":[\"x\"],\"targets\":"
	             "[\"gh\"]}]}",
	             "routes[0].sources: no source is named 'x'");
	config_error("{\"version\":1," SRC ",\"targets\":{\"gh\":{\"type\":\"github\",\"repo\":"
	             "\"a/b\",\"event_type\":\"e\"}}," RT "}",
	             "targets.gh: 'token_env' must name");
	config_error("{\"version\":1," SRC ",\"targets\":{\"gh\":{\"type\":\"github\",\"repo\":"
	             "\"a/b\",\"event_type\":\"e\",\"token_env\":\"T\",\"api_url\":"
	             "\"http://example.com\"}}," RT "}",
	             "must be https://");
	config_error("{\"version\":1,\"sources\":{\"m\":{\"type\":\"mlflow\",\"secrets\":[{\"env\":"
	             "\"A\",\"file\":\"f\"}]}}," TGT "," RT "}",
	             "sources.m.secrets[0]: give exactly one of 'env' and 'file'");
	config_error("{\"version\":1,\"sources\":{\"m\":{\"type\":\"gitlab\",\"secrets\":[]}}," TGT
	             "," RT "}",
	             "sources.m.type");
	config_error("{\"version\":2," SRC "," TGT "," RT "}", "version");
	config_error("{\"version\":1," SRC "," TGT ",\"routes\":[]}", "routes: must not be empty");
	config_error("{\"version\":1,", "is not valid JSON");
}

static void test_relay__secrets_resolve(void)
{
	char *dir = unit_tmpdir(), path[512], text[1024];
	struct mg_relay_config cfg;
	struct mg_secrets secrets = MG_SECRETS_INIT;
	struct mg_err err = MG_ERR_INIT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/secret", dir);
	f = fopen(path, "w");
	fputs("file-secret-value-1\n", f);
	fclose(f);
	chmod(path, 0644);
	snprintf(text, sizeof(text),
	         "{\"version\":1,\"sources\":{\"m\":{\"type\":\"mlflow\",\"secrets\":[{\"env\":"
	         "\"MG_UNIT_RELAY_A\"},{\"file\":\"%s\"}]}}," TGT "," RT "}",
	         path);
	setenv("MG_UNIT_RELAY_A", "env-secret-value-1", 1);
	setenv("T", "token-value-1", 1);
	CU_ASSERT_EQUAL_FATAL(mg_relay_config_parse(text, strlen(text), "t", &cfg, &err), 0);
	CU_ASSERT_EQUAL(mg_relay_config_resolve(&cfg, &secrets, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is readable by others (mode 644)"));
	mg_relay_config_release(&cfg);

	chmod(path, 0600);
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL_FATAL(mg_relay_config_parse(text, strlen(text), "t", &cfg, &err), 0);
	CU_ASSERT_EQUAL(mg_relay_config_resolve(&cfg, &secrets, &err), 0);
	ASSERT_STR(cfg.sources[0].secrets[0], "env-secret-value-1");
	ASSERT_STR(cfg.sources[0].secrets[1], "file-secret-value-1");
	ASSERT_STR(cfg.targets[0].token, "token-value-1");
	CU_ASSERT(mg_secrets_found(&secrets, "x file-secret-value-1", 21));
	mg_relay_config_release(&cfg);

	unsetenv("T");
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL_FATAL(mg_relay_config_parse(text, strlen(text), "t", &cfg, &err), 0);
	CU_ASSERT_EQUAL(mg_relay_config_resolve(&cfg, &secrets, &err), -1);
	ASSERT_STR(err.msg, "target 'gh': environment variable 'T' is not set");
	mg_relay_config_release(&cfg);

	unsetenv("MG_UNIT_RELAY_A");
	mg_secrets_release(&secrets);
	unit_rmtree(dir);
	free(dir);
}

static void test_relay__queue(void)
{
	char *dir = unit_tmpdir(), path[512];
	struct mg_relay_queue *q = NULL, *q2 = NULL;
	struct mg_err err = MG_ERR_INIT;
	const char *const both[] = {"gh", "ado"};
	struct mg_relay_item items[] = {
	        {"mlflow:a", "{\"model\":\"m\"}", both, 2, false},
	        {"mlflow:b", "{\"model\":\"n\"}", both, 1, false},
	        {"mlflow:a", "{\"model\":\"m\"}", both, 2, false},
	};
	struct mg_relay_job job = {0};
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	double due;

	snprintf(path, sizeof(path), "%s/q.db", dir);
	CU_ASSERT_EQUAL(mg_relay_queue_open(path, false, &q, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not exist"));
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_open(path, true, &q, &err), 0);
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_open(path, false, &q2, &err), 0);
	/* one transaction; the third item replays the first */
	CU_ASSERT_EQUAL(mg_relay_queue_add(q, items, 3, 100, &err), 0);
	CU_ASSERT(!items[0].duplicate && !items[1].duplicate && items[2].duplicate);
	CU_ASSERT_EQUAL(mg_relay_queue_add(q, items, 1, 101, &err), 0);
	CU_ASSERT(items[0].duplicate);

	/* three jobs, due at 100, first in first out */
	CU_ASSERT_EQUAL(mg_relay_queue_next(q2, 99, &job, &due, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(due, 100, 1e-9);
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_next(q2, 100, &job, &due, &err), 1);
	ASSERT_STR(job.target, "gh");
	ASSERT_STR(job.key, "mlflow:a");
	ASSERT_STR(job.payload, "{\"model\":\"m\"}");
	CU_ASSERT_EQUAL(mg_relay_queue_done(q2, job.id, 204, 100, &err), 0);
	mg_relay_job_release(&job);
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_next(q2, 100, &job, &due, &err), 1);
	ASSERT_STR(job.target, "ado");
	CU_ASSERT_EQUAL(mg_relay_queue_failed(q2, job.id, 503, "HTTP 503", 150, 100, &err), 0);
	mg_relay_job_release(&job);
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_next(q2, 100, &job, &due, &err), 1);
	ASSERT_STR(job.key, "mlflow:b");
	CU_ASSERT_EQUAL(mg_relay_queue_failed(q2, job.id, 404, "HTTP 404", -1, 100, &err), 0);
	mg_relay_job_release(&job);
	CU_ASSERT_EQUAL(mg_relay_queue_next(q2, 149, &job, &due, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(due, 150, 1e-9);
	CU_ASSERT_EQUAL_FATAL(mg_relay_queue_next(q2, 150, &job, &due, &err), 1);
	CU_ASSERT_EQUAL(job.tries, 1);
	mg_relay_job_release(&job);

	CU_ASSERT_EQUAL(mg_relay_queue_list(q, false, false, &out, &err), 0);
	CU_ASSERT_PTR_NULL(strstr(out.buf, "done"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "dead"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "HTTP 404"));
	mg_buf_reset(&out);
	CU_ASSERT_EQUAL(mg_relay_queue_list(q, true, true, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "\"state\":\"done\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "\"payload\":{\"model\":\"n\"}"));

	/* replay: dead -> queued with no tries; a done job or no job is a usage error */
	CU_ASSERT_EQUAL(mg_relay_queue_replay(q, 3, 200, &err), 0);
	CU_ASSERT_EQUAL(mg_relay_queue_replay(q, 1, 200, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "was delivered"));
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL(mg_relay_queue_replay(q, 99, 200, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	{
		long long queued, dead;

		CU_ASSERT_EQUAL(mg_relay_queue_counts(q, &queued, &dead, &err), 0);
		CU_ASSERT(queued == 2 && dead == 0);
	}
	CU_ASSERT_EQUAL(mg_relay_queue_prune(q, 1000, &err), 0);
	mg_buf_release(&out);
	mg_relay_queue_close(q);
	mg_relay_queue_close(q2);
	unit_rmtree(dir);
	free(dir);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_relay__mlflow_signature),
        UNIT_TEST(test_relay__databricks_signature),
        UNIT_TEST(test_relay__hmac_primitives),
        UNIT_TEST(test_relay__payload_routes_and_bodies),
        UNIT_TEST(test_relay__config_errors),
        UNIT_TEST(test_relay__secrets_resolve),
        UNIT_TEST(test_relay__queue),
        UNIT_END,
};

const struct unit_suite unit_suite_relay = {"relay", NULL, NULL, tests};
