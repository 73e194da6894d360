#include "serve/bundle_cmd.h"

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "serve/bundle.h"
#include "serve/signing.h"
#include "verdict/engine.h"

namespace verdict::serve {

namespace {

constexpr int kOk = 0, kFailed = 3, kUsage = 4;

// The digest `verdict serve --bundle DIR -d DATA...` computes, or the load errors printed and false.
bool digest_of(const BundleCommand& cmd, std::string& digest) {
  std::error_code ec;
  if (!std::filesystem::is_directory(cmd.dir, ec)) {
    std::cerr << "verdict bundle: " << cmd.dir << " is not a folder (a signed bundle is a folder: the signature goes in it)\n";
    return false;
  }
  BundleTexts texts;
  std::string why;
  if (!read_bundle({cmd.dir}, cmd.data, texts, why)) {
    std::cerr << "verdict bundle: " << why << "\n";
    return false;
  }
  Engine engine;
  std::vector<Error> errors = load_engine(engine, texts);
  for (const Error& e : errors) std::cerr << e.to_string() << "\n";
  if (!errors.empty()) {
    std::cerr << "verdict bundle: the bundle does not load (" << errors.size() << " error(s)); nothing is signed or verified\n";
    return false;
  }
  digest = engine.bundle_digest();
  return true;
}

}  // namespace

CLI::App* add_bundle_command(CLI::App& app, BundleCommand& c) {
  auto* b = app.add_subcommand("bundle", "Sign policy bundles for `verdict serve --verify-key` (ed25519: keygen, sign, verify)");
  c.keygen = b->add_subcommand("keygen", "Make a signing key pair: NAME.pub (public) and NAME.key (secret, mode 0600)");
  c.keygen->add_option("name", c.key_name, "Path and base name of the two key files")->required();
  c.sign = b->add_subcommand("sign", "Sign a bundle folder: writes DIR/.signature over the bundle digest");
  c.verify = b->add_subcommand("verify", "Check a bundle folder's signature as `verdict serve --verify-key` does (exit 0 or 3)");
  for (CLI::App* s : {c.sign, c.verify}) {
    s->add_option("dir", c.dir, "The bundle folder (as given to verdict serve --bundle)")->required();
    s->add_option("-d,--data", c.data, "The data files served with it, in the same order (they are part of the digest)")
        ->expected(1)->allow_extra_args(false)->take_all();
  }
  c.sign->add_option("--key", c.key, "The secret key file (NAME.key of `verdict bundle keygen`)")->required()->check(CLI::ExistingFile);
  c.verify->add_option("--key", c.key, "The public key file (NAME.pub)")->required()->check(CLI::ExistingFile);
  b->require_subcommand(1);
  return b;
}

int run_bundle_command(const BundleCommand& c) {
  std::string why;
  if (c.keygen->parsed()) {
    std::string id;
    if (!generate_key_pair(c.key_name + ".pub", c.key_name + ".key", id, why)) {
      std::cerr << "verdict bundle keygen: " << why << "\n";
      return kFailed;
    }
    std::cout << "key id " << id << ": public key " << c.key_name << ".pub, secret key " << c.key_name << ".key (mode 0600)\n";
    return kOk;
  }
  std::string digest;
  if (c.sign->parsed()) {
    if (!digest_of(c, digest)) return kFailed;
    std::string id;
    if (!write_signature(c.dir, digest, c.key, id, why)) {
      std::cerr << "verdict bundle sign: " << why << "\n";
      return kFailed;
    }
    std::cout << "signed " << c.dir << " (" << digest << ") with key " << id << "\n";
    return kOk;
  }
  if (c.verify->parsed()) {
    PublicKey key;
    if (!read_public_key(c.key, key, why)) {
      std::cerr << "verdict bundle verify: " << why << "\n";
      return kUsage;
    }
    if (!digest_of(c, digest)) return kFailed;
    std::string bad = check_signature(c.dir, digest, key);
    if (!bad.empty()) {
      std::cerr << "verdict bundle verify: " << bad << "\n";
      return kFailed;
    }
    std::cout << "good signature on " << c.dir << " (" << digest << ") by key " << key.id << "\n";
    return kOk;
  }
  return kUsage;
}

}  // namespace verdict::serve
