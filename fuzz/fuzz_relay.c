/*
 * mlgate-relay's parsers: the configuration (relay.json), and a delivery's
 * body as MLflow and as Databricks send it (verified with the input's own
 * bytes as signature and headers, reduced to an event, routed, and made
 * into each target's body).
 */
#include "setup.h"
#include "fuzz.h"
#include "relay_config.h"
#include "relay_event.h"

static const char fixed[] =
        "{\"version\":1,\"sources\":{\"m\":{\"type\":\"mlflow\",\"secrets\":[{\"env\":\"A\"}]},"
        "\"d\":{\"type\":\"databricks\",\"secrets\":[{\"env\":\"B\"}],\"window_s\":0}},"
        "\"targets\":{\"gh\":{\"type\":\"github\",\"repo\":\"a/b\",\"event_type\":\"e\","
        "\"token_env\":\"T\"},\"wf\":{\"type\":\"github-workflow\",\"repo\":\"a/b\","
        "\"workflow\":\"w.yml\",\"token_env\":\"T\",\"inputs\":{\"m\":\"{model}-{version}\","
        "\"x\":\"{alias}{stage}{nope}{\"}},\"az\":{\"type\":\"azure\",\"org\":\"o\",\"webhook\":"
        "\"w\",\"secret_env\":\"S\",\"sha1_prefix\":true}},\"routes\":[{\"models\":[\"*\"],"
        "\"targets\":[\"gh\",\"wf\"]},{\"stages\":[\"production\"],\"targets\":[\"az\"]},"
        "{\"aliases\":[\"champion\"],\"events\":[\"model_version_*\"],\"targets\":[\"az\"]}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_relay_config cfg;
	struct mg_err err = MG_ERR_INIT;
	const char *body = (const char *)data;
	char *text = fuzz_cstring(data, size);
	char secret[] = "fuzz-secret";

	if (!mg_relay_config_parse(body, size, "fuzz", &cfg, &err))
		mg_relay_config_release(&cfg);
	mg_err_clear(&err);
	if (mg_relay_config_parse(fixed, strlen(fixed), "fixed", &cfg, &err))
		abort();
	for (size_t s = 0; s < cfg.nsources; s++) {
		struct mg_relay_source *src = &cfg.sources[s];
		struct mg_relay_event ev;
		size_t idx[3];

		memset(&ev, 0, sizeof(ev));
		src->secrets[0] = secret;
		(void)mg_relay_verify_mlflow(src, text, "1767225600", text, body, size, 1767225600,
		                             &ev);
		(void)mg_relay_verify_databricks(src, text, text, body, size, &ev);
		snprintf(ev.key, sizeof(ev.key), "fuzz:%zu", size);
		if (mg_relay_event_parse(src, body, size, 1767225600, &ev) == MG_RELAY_OK) {
			struct mg_buf payload = MG_BUF_INIT(MG_BUF_SMALL);
			size_t n = mg_relay_route(&cfg, src, &ev, idx);

			mg_relay_payload(src, &ev, &payload);
			for (size_t i = 0; i < n; i++) {
				struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);

				if (mg_relay_forward_body(&cfg.targets[idx[i]], payload.buf, &out))
					abort(); /* a payload the relay made is always an object */
				mg_buf_release(&out);
			}
			mg_buf_release(&payload);
		}
		src->secrets[0] = NULL;
	}
	mg_relay_config_release(&cfg);
	free(text);
	return 0;
}
