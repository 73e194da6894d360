// `verdict bundle keygen|sign|verify` (docs/serve.md#signed-bundles): the keys and signatures
// that `verdict serve --verify-key` checks.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace verdict::serve {

struct BundleCommand {
  std::string key_name;            // keygen: NAME.pub and NAME.key
  std::string dir;                 // sign, verify: the bundle folder
  std::vector<std::string> data;   // sign, verify: the data files served with it (-d, in the same order)
  std::string key;                 // sign: the secret key file; verify: the public key file
  CLI::App* keygen = nullptr;
  CLI::App* sign = nullptr;
  CLI::App* verify = nullptr;
};

// Adds `bundle` and its subcommands to `app`.
CLI::App* add_bundle_command(CLI::App& app, BundleCommand& cmd);
// Runs the subcommand that was parsed; returns the exit code (0 ok, 3 failed, 4 usage).
int run_bundle_command(const BundleCommand& cmd);

}  // namespace verdict::serve
