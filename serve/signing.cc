#include "serve/signing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict::serve {

namespace {

constexpr const char* kContext = "verdict-bundle-v1\n";

bool init_sodium(std::string& why) {
  if (sodium_init() < 0) {  // 0: initialised now, 1: already
    why = "libsodium could not be initialised";
    return false;
  }
  return true;
}

std::string base64(const unsigned char* bin, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bin, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Exactly `n` bytes from base64 text (surrounding spaces ignored), or false.
bool unbase64(const std::string& text, unsigned char* out, size_t n) {
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out, n, text.data(), text.size(), " \t\r\n", &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0) return false;
  return len == n && end == text.data() + text.size();
}

std::string key_id_of(const unsigned char* pk) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, h, 8);
  return hex;
}

std::string message_of(const std::string& digest) { return std::string(kContext) + digest; }

// Writes `text` to a new file `path` with `mode`; refuses an existing file.
bool write_new(const std::string& path, const std::string& text, mode_t mode, std::string& why) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    why = errno == EEXIST ? path + " exists: nothing is overwritten (remove it or choose another name)"
                          : "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, mode) == 0;  // the mode whatever the umask
  size_t off = 0;
  while (ok && off < text.size()) {
    ssize_t w = ::write(fd, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    ok = w > 0;
    if (ok) off += static_cast<size_t>(w);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    why = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(path.c_str());
  }
  return ok;
}

// The key line of a key file (the first line that is not a comment), or false.
bool key_line(const std::string& path, std::string& line, std::string& why) {
  std::ifstream f(path);
  if (!f) {
    why = "cannot open " + path;
    return false;
  }
  std::string l;
  while (std::getline(f, l)) {
    if (l.empty() || l[0] == '#') continue;
    line = l;
    return true;
  }
  why = path + " holds no key (a verdict key file is a '#' comment line, then the key in base64)";
  return false;
}

}  // namespace

bool generate_key_pair(const std::string& public_path, const std::string& secret_path, std::string& key_id, std::string& why) {
  if (!init_sodium(why)) return false;
  if (public_path == secret_path) {
    why = "the public and the secret key need two files";
    return false;
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  key_id = key_id_of(pk);
  std::string secret = "# verdict bundle signing key, ed25519, SECRET (keep it private), key id " + key_id + "\n" +
                       base64(sk, sizeof sk) + "\n";
  sodium_memzero(sk, sizeof sk);
  std::string pub = "# verdict bundle signing key, ed25519, public, key id " + key_id + "\n" + base64(pk, sizeof pk) + "\n";
  bool ok = write_new(secret_path, secret, 0600, why);
  sodium_memzero(secret.data(), secret.size());
  if (!ok) return false;
  if (!write_new(public_path, pub, 0644, why)) {
    ::unlink(secret_path.c_str());
    return false;
  }
  return true;
}

bool read_public_key(const std::string& path, PublicKey& out, std::string& why) {
  if (!init_sodium(why)) return false;
  std::string line;
  if (!key_line(path, line, why)) return false;
  if (!unbase64(line, out.bytes.data(), out.bytes.size())) {
    why = path + " is not a verdict public key (32 bytes in base64; `verdict bundle keygen` makes one)";
    return false;
  }
  out.id = key_id_of(out.bytes.data());
  return true;
}

bool write_signature(const std::string& dir, const std::string& digest, const std::string& secret_path, std::string& key_id,
                     std::string& why) {
  if (!init_sodium(why)) return false;
  struct stat st {};
  if (::stat(secret_path.c_str(), &st) != 0) {
    why = "cannot open " + secret_path;
    return false;
  }
  if (st.st_mode & 0077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    why = "the secret key " + secret_path + " can be read by others (mode " + mode + "): chmod 600 it";
    return false;
  }
  std::string line;
  if (!key_line(secret_path, line, why)) return false;
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  bool ok = unbase64(line, sk, sizeof sk);
  sodium_memzero(line.data(), line.size());
  if (!ok) {
    sodium_memzero(sk, sizeof sk);
    why = secret_path + " is not a verdict secret key (64 bytes in base64; `verdict bundle keygen` makes one)";
    return false;
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, sk);
  key_id = key_id_of(pk);
  unsigned char sig[crypto_sign_BYTES];
  const std::string msg = message_of(digest);
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk);
  sodium_memzero(sk, sizeof sk);
  nlohmann::ordered_json j;
  j["algorithm"] = "ed25519";
  j["key_id"] = key_id;
  j["digest"] = digest;
  j["signature"] = base64(sig, sizeof sig);
  const std::string path = dir + "/" + kSignatureFile, tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  if (!write_new(tmp, j.dump() + "\n", 0644, why)) return false;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    why = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::string check_signature(const std::string& dir, const std::string& digest, const PublicKey& key) {
  std::string why;
  if (!init_sodium(why)) return why;
  const std::string path = dir + "/" + kSignatureFile;
  std::ifstream f(path, std::ios::binary);
  if (!f) return "the bundle is not signed: no " + path + " (sign it with `verdict bundle sign`)";
  std::ostringstream ss;
  ss << f.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  auto str = [&](const char* k) { return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  if (j.is_discarded() || !j.is_object()) return path + " is not a signature file (JSON with algorithm, key_id, digest, signature)";
  if (str("algorithm") != "ed25519") return path + ": the algorithm is \"" + str("algorithm") + "\", not \"ed25519\"";
  if (str("key_id") != key.id)
    return "the bundle is signed by key " + str("key_id") + ", not by the configured key " + key.id;
  if (str("digest") != digest)
    return "the bundle changed since it was signed: signed " + str("digest") + ", loaded " + digest;
  unsigned char sig[crypto_sign_BYTES];
  if (!unbase64(str("signature"), sig, sizeof sig)) return path + ": the signature is not 64 bytes in base64";
  const std::string msg = message_of(digest);
  if (crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), key.bytes.data()) != 0)
    return "the signature in " + path + " does not verify with key " + key.id;
  return "";
}

}  // namespace verdict::serve
