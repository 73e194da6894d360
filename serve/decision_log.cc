#include "serve/decision_log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "serve/log.h"
#include "verdict/json_writer.h"

namespace verdict::serve {

namespace {

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

// The input line an NDJSON output line answers: the engine writes each as {"ok":..,"line":N,...}.
// 0 for the decision of one JSON document.
size_t line_of(std::string_view out) {
  for (std::string_view p : {std::string_view(R"({"ok":true,"line":)"), std::string_view(R"({"ok":false,"line":)")}) {
    if (out.substr(0, p.size()) != p) continue;
    size_t n = 0, i = p.size();
    while (i < out.size() && out[i] >= '0' && out[i] <= '9') n = n * 10 + static_cast<size_t>(out[i++] - '0');
    return n;
  }
  return 0;
}

}  // namespace

DecisionLog::~DecisionLog() { close(); }

bool DecisionLog::open(const std::string& path, uint64_t max_bytes, unsigned keep, std::string& why) {
  if (sodium_init() < 0) {
    why = "libsodium could not be initialised";
    return false;
  }
  path_ = path;
  max_bytes_ = max_bytes;
  keep_ = keep;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  writer_ = std::thread([this] { run(); });
  return true;
}

void DecisionLog::submit(Entry e) {
  size_t bytes = e.output.size() + (e.input ? e.input->size() : 0);
  std::unique_lock<std::mutex> lock(mu_);
  space_cv_.wait(lock, [&] { return pending_bytes_ < max_pending_ || stop_; });
  pending_bytes_ += bytes;
  queue_.push_back(std::move(e));
  cv_.notify_one();
}

void DecisionLog::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!writer_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  space_cv_.notify_all();
  writer_.join();
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

uint64_t DecisionLog::records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}
uint64_t DecisionLog::rotations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rotations_;
}
uint64_t DecisionLog::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

void DecisionLog::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::deque<Entry> batch;
    batch.swap(queue_);
    lock.unlock();
    size_t bytes = 0;
    std::string out;
    for (const Entry& e : batch) {
      bytes += e.output.size() + (e.input ? e.input->size() : 0);
      write_entry(e, out);
    }
    if (!out.empty()) append(out);
    lock.lock();
    pending_bytes_ -= bytes;
    space_cv_.notify_all();
  }
}

// Formats the records of one request into `out`; a record that would take FILE past max_bytes
// writes what is pending and rotates first.
void DecisionLog::write_entry(const Entry& e, std::string& out) {
  std::string_view input = e.input ? std::string_view(*e.input) : std::string_view();
  std::vector<size_t> starts;  // of the input's lines, built on the first NDJSON line
  std::string_view rest = e.output;
  JsonWriter w;
  uint64_t n = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    size_t at = line_of(line);
    std::string_view doc = input;
    if (at > 0 && e.ndjson) {  // else the decision of a record of one JSON document: the document's hash
      if (starts.empty()) {
        starts.push_back(0);
        for (size_t i = 0; i < input.size(); ++i)
          if (input[i] == '\n') starts.push_back(i + 1);
      }
      if (at <= starts.size()) {
        size_t b = starts[at - 1];
        size_t end = at < starts.size() ? starts[at] - 1 : input.size();
        doc = input.substr(b, end - b);
        if (!doc.empty() && doc.back() == '\r') doc.remove_suffix(1);
      }
    }
    w.clear();
    w.begin_object();
    w.key("time").string(e.time).key("route").string(e.route).key("policy").string(e.policy).key("kind").string(e.kind);
    w.key("bundle").string(e.bundle).key("input_sha256").string(sha256_hex(doc));
    if (at > 0 && e.ndjson) w.key("line").number(static_cast<uint64_t>(at));
    w.key("latency_ms").number(std::round(e.latency_ms * 1000) / 1000);
    w.key("decision").raw(line);
    w.end_object();
    std::string_view rec = w.view();
    if (size_ + out.size() > 0 && size_ + out.size() + rec.size() + 1 > max_bytes_) {
      if (!out.empty()) append(out);
      out.clear();
      rotate();
    }
    out.append(rec.data(), rec.size());
    out.push_back('\n');
    ++n;
  }
  std::lock_guard<std::mutex> lock(mu_);
  records_ += n;
}

void DecisionLog::append(const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t w = fd_ < 0 ? -1 : ::write(fd_, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      uint64_t lost = 0;
      for (size_t i = off; i < text.size(); ++i) lost += text[i] == '\n';
      {
        std::lock_guard<std::mutex> lock(mu_);
        failures_ += lost;
        records_ -= std::min(records_, lost);
      }
      log_line("error", "decision log write failed", {{"file", path_}, {"error", std::strerror(errno)}, {"records_lost", lost}});
      return;
    }
    off += static_cast<size_t>(w);
    size_ += static_cast<uint64_t>(w);
  }
}

void DecisionLog::rotate() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  for (unsigned i = keep_; i >= 2; --i)
    ::rename((path_ + "." + std::to_string(i - 1)).c_str(), (path_ + "." + std::to_string(i)).c_str());
  if (keep_ >= 1) ::rename(path_.c_str(), (path_ + ".1").c_str());
  else ::unlink(path_.c_str());
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) log_line("error", "decision log cannot be reopened after rotation", {{"file", path_}, {"error", std::strerror(errno)}});
  size_ = 0;
  std::lock_guard<std::mutex> lock(mu_);
  ++rotations_;
}

}  // namespace verdict::serve
