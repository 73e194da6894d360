// Signed bundles (docs/serve.md#signed-bundles): an ed25519 signature (libsodium) over the
// bundle digest, the "sha256:..." that Engine::bundle_digest() computes from the loaded
// policies (canonical form) and data. The signature sits in the bundle folder as `.signature`
// (not a *.json file, so it is not part of what it signs):
//
//   {"algorithm":"ed25519","key_id":"1a2b3c4d5e6f7a8b","digest":"sha256:...","signature":"BASE64"}
//
// The signed message is "verdict-bundle-v1\n" followed by the digest. Key files are two
// lines: a comment naming the kind of key and its id, then the key in base64 (32 bytes
// public, 64 bytes secret as libsodium keeps it). The key id is the first 8 bytes of the
// SHA-256 of the public key, in hex: it names a key in messages; it proves nothing.
// Functions here are thread-safe (libsodium is initialised once).
#pragma once

#include <array>
#include <string>

namespace verdict::serve {

// The name of the signature file in a bundle folder.
inline constexpr const char* kSignatureFile = ".signature";

struct PublicKey {
  std::array<unsigned char, 32> bytes{};
  std::string id;  // 16 hex digits
};

// Writes a new key pair to `public_path` (mode 0644) and `secret_path` (mode 0600). Neither
// may exist (nothing is overwritten). On failure returns false, says why, and leaves no file.
bool generate_key_pair(const std::string& public_path, const std::string& secret_path, std::string& key_id, std::string& why);

// Reads a public key file.
bool read_public_key(const std::string& path, PublicKey& out, std::string& why);

// Signs `digest` with the secret key in `secret_path` (refused when others can read the file)
// and writes `dir/.signature` whole (temporary file, rename).
bool write_signature(const std::string& dir, const std::string& digest, const std::string& secret_path, std::string& key_id,
                     std::string& why);

// Checks `dir/.signature` against the digest of the bundle as loaded: "" when it is a good
// signature by `key` over exactly that digest, else why not (no signature, another key,
// the bundle changed since it was signed, a signature that does not verify).
std::string check_signature(const std::string& dir, const std::string& digest, const PublicKey& key);

}  // namespace verdict::serve
