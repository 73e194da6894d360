// The options of `verdict serve --cluster` (serve/cluster.h, docs/scale.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace verdict::serve {

struct ClusterOptions {
  std::vector<std::string> servers;  // nats://host:port URLs ("" none: no cluster)
  std::string creds;                 // NATS credentials file (JWT + nkey seed)
  std::string tls_ca;                // PEM CA certificates that sign the servers' certificates
  std::string tls_cert, tls_key;     // PEM client certificate and key (mutual TLS)
  std::string name;                  // this replica's name in claims ("": hostname:pid)
  std::string prefix = "verdict";    // names of the buckets: PREFIX_silences, PREFIX_nflog
  int replicas = 1;                  // JetStream replicas of the buckets (3 on a 3-node cluster)
  uint64_t claim_lease_ms = 15000;   // a claim not marked sent in this time may be taken over
  uint64_t dedup_window_ms = 60000;  // the same notification sent within this time is a duplicate
  bool share_alerts = false;         // alerts taken by a replica go to every replica (stream PREFIX_alerts)
};

// Adds --cluster and its options to the serve command.
void add_cluster_options(CLI::App& serve, ClusterOptions& o);

}  // namespace verdict::serve
