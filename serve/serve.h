// `verdict serve`: the decision service (docs/serve.md). A front end like the CLI: HTTP
// (cpp-httplib) -> the engine's public API (verdict/engine.h), nothing below it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "serve/cluster_options.h"

namespace CLI {
class App;
}

namespace verdict::serve {

struct ServeOptions {
  std::vector<std::string> bundle;  // policy files or folders (every *.json but *.test.json)
  std::vector<std::string> data;    // data files: CMDB, schedule, windows, error-budget status
  std::string listen = "127.0.0.1:8181";  // host:port; port 0 picks a free one (logged)
  size_t threads = 4;               // worker threads, one engine each
  size_t max_body = 8u << 20;       // bytes of a request body; more is 413
  std::string state_dir;            // alert journal and snapshot ("" keeps alert state in memory only)
  std::string alerts_policy;        // the AlertDedup policy of the alert endpoints ("": the only one)
  uint64_t snapshot_every = 10000;  // journal records between snapshots (0: at shutdown only)
  bool log_requests = false;        // log every request, not only those answered 4xx/5xx
  std::string receivers;            // JSON file: receivers and their webhook_configs ("": no delivery)
  std::string external_url;         // the payloads' externalURL ("": http://<listen address>)
  size_t notify_attempts = 8;       // webhook delivery attempts before giving up
  uint64_t notify_backoff_ms = 500; // first retry delay (doubled each retry, at most 30 s)
  uint64_t notify_timeout_ms = 10000;  // per attempt
  std::string auth_token_file;      // bearer tokens, one a line ("": no authentication)
  std::vector<std::string> auth_open = {"/healthz", "/readyz", "/metrics"};  // served without a token
  std::string tls_cert;             // PEM certificate: serve HTTPS (with tls_key; "": plain HTTP)
  std::string tls_key;              // PEM private key of tls_cert
  std::string verify_key;           // public key file: the bundle (one folder) must carry a good signature ("": none needed)
  uint64_t watch_ms = 1000;          // poll the bundle's files and reload on a change (0: SIGHUP only)
  size_t max_queued = 0;            // connections waiting for a worker; more are answered 503 (0: 16 x threads)
  uint64_t read_timeout_ms = 5000;  // each read of a request (a client silent longer is cut)
  uint64_t request_timeout_ms = 10000;  // a decision request's total time, from its headers to its last decision
  std::string decision_log;         // NDJSON file of every decision ("": none)
  uint64_t decision_log_max_bytes = 100u << 20;  // rotate the decision log before it passes this
  unsigned decision_log_keep = 5;   // rotated decision logs kept (FILE.1 .. FILE.N)
  uint64_t keep_alive_ms = 2000;    // an idle keep-alive connection is closed after this
  size_t keep_alive_max = 100;      // requests per connection before it is closed
  ClusterOptions cluster;           // --cluster: a fleet sharing silences and notifications (serve/cluster.h)
};

// Adds the `serve` subcommand and its options to `app`.
CLI::App* add_command(CLI::App& app, ServeOptions& options);

// Runs the service until SIGTERM or SIGINT; returns the process exit code.
int run(const ServeOptions& options);

}  // namespace verdict::serve
