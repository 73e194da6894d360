#include "serve/alert_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "serve/log.h"
#include "serve/metrics.h"

namespace verdict::serve {

namespace {

// Journal record: a header line "<type> <seq> <now> <length> <fnv1a64 hex>\n", the body's bytes
// and "\n". Type R: a push (the body as received); D: a webhook delivery is over (the body is
// "<outbox id> <sent|failed>"). The body is kept byte for byte (invalid UTF-8 included: a replay must see what the
// first push saw); the length and the hash find a torn or damaged tail.
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string header(char type, uint64_t seq, const std::string& now, std::string_view body) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%c %llu %s %zu %016llx\n", type, static_cast<unsigned long long>(seq), now.c_str(), body.size(),
                static_cast<unsigned long long>(fnv1a(body)));
  return buf;
}

Error os_error(const std::string& what) {
  return Error(ErrorCode::kInternal, what + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool read_whole(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

struct Record {
  char type = 'R';
  uint64_t seq = 0;
  std::string now;
  std::string_view body;
};

// Parses the record at `pos`; false when what is there is not a whole, intact record.
bool parse_record(std::string_view j, size_t& pos, Record& r) {
  size_t eol = j.find('\n', pos);
  if (eol == std::string_view::npos || eol - pos > 150) return false;
  std::string h(j.substr(pos, eol - pos));
  unsigned long long seq = 0, hash = 0;
  size_t len = 0;
  char now[100];
  char type = 0;
  if (std::sscanf(h.c_str(), "%c %llu %99s %zu %llx", &type, &seq, now, &len, &hash) != 5 || (type != 'R' && type != 'D'))
    return false;
  size_t start = eol + 1;
  if (start + len + 1 > j.size() || j[start + len] != '\n') return false;
  std::string_view body = j.substr(start, len);
  if (fnv1a(body) != hash) return false;
  r.type = type;
  r.seq = seq;
  r.now = now;
  r.body = body;
  pos = start + len + 1;
  return true;
}

}  // namespace

AlertStore::AlertStore(std::unique_ptr<Engine> engine, std::string policy, Metrics& metrics)
    : engine_(std::move(engine)), policy_(std::move(policy)), metrics_(metrics) {}

AlertStore::~AlertStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

void AlertStore::set_notify(Receivers receivers, std::string external_url, std::function<void()> on_change) {
  std::lock_guard<std::mutex> lock(mu_);
  receivers_ = std::move(receivers);
  external_url_ = std::move(external_url);
  on_change_ = std::move(on_change);
}

void AlertStore::collect(const std::string& ndjson, uint64_t seq) {
  if (receivers_.empty()) return;
  size_t unrouted = 0;
  std::vector<Outgoing> more = webhook_payloads(ndjson, seq, receivers_, [this] { return stream_state_locked(); },
                                                external_url_, unrouted);
  if (unrouted && !unrouted_) log_line("warn", "a notification's receiver has no webhook_configs in --receivers: not delivered");
  unrouted_ += unrouted;
  for (auto& o : more) outbox_.push_back(std::move(o));
  metrics_.outbox(outbox_.size());
}

int64_t AlertStore::next_flush_ns() {
  std::lock_guard<std::mutex> lock(mu_);
  if (policy_.empty()) return -1;
  std::optional<int64_t> t = engine_->alerts_next_flush(policy_);
  return t ? *t : -1;
}

std::vector<Outgoing> AlertStore::outbox() {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_;
}

void AlertStore::done(const std::string& id, const std::string& result) {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(outbox_.begin(), outbox_.end(), [&](const Outgoing& o) { return o.id == id; });
    if (it == outbox_.end()) return;
    Status s = append(id + " " + result, clock_now(), 'D');
    if (!s.ok()) log_line("error", "journal write failed", {{"error", s.error().message}});
    else seq = seq_;
    outbox_.erase(it);
    metrics_.outbox(outbox_.size());
  }
  if (seq && journal_fd_ >= 0) wait_durable(seq);
}

Status AlertStore::open(const std::string& state_dir, uint64_t snapshot_every) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_every_ = snapshot_every;
  if (state_dir.empty()) return {};
  dir_ = state_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "cannot create the state folder " + dir_ + ": " + ec.message());
  uint64_t covered = 0;
  std::string snap;
  if (read_whole(dir_ + "/snapshot.json", snap)) {
    auto j = nlohmann::json::parse(snap, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("journal_seq") || !j["journal_seq"].is_number_unsigned() ||
        !j.contains("state"))
      return Error(ErrorCode::kInvalidJson, dir_ + "/snapshot.json is not a verdict serve snapshot");
    covered = j["journal_seq"].get<uint64_t>();
    Status s = engine_->alerts_restore(j["state"].dump());
    if (!s.ok()) {
      Error e = s.error();
      e.message = dir_ + "/snapshot.json: " + e.message;
      return e;
    }
    seq_ = covered;
    if (j.contains("outbox") && j["outbox"].is_array())
      for (const auto& o : j["outbox"])
        if (o.is_object())
          outbox_.push_back(Outgoing{o.value("id", ""), o.value("receiver", ""), o.value("url", ""), o.value("payload", "")});
  }
  const std::string jpath = dir_ + "/journal";
  std::string journal;
  read_whole(jpath, journal);
  size_t pos = 0, replayed = 0, skipped = 0;
  Record r;
  while (pos < journal.size() && parse_record(journal, pos, r)) {
    if (r.seq <= covered) {
      ++skipped;  // written before the snapshot that covers it (a crash between rename and truncate)
      continue;
    }
    if (r.type == 'D') {
      std::string_view id = r.body.substr(0, r.body.find(' '));
      outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(), [&](const Outgoing& o) { return o.id == id; }),
                    outbox_.end());
    } else {
      Pushed p = apply(r.body, r.now);
      collect(p.ndjson, r.seq);
    }
    seq_ = r.seq;
    ++replayed;
  }
  journal_fd_ = ::open(jpath.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (journal_fd_ < 0) return os_error("cannot open " + jpath);
  if (pos < journal.size()) {
    log_line("warn", "journal tail cut",
             {{"file", jpath}, {"kept_bytes", pos}, {"cut_bytes", journal.size() - pos}, {"replayed", replayed}});
    if (::ftruncate(journal_fd_, static_cast<off_t>(pos)) != 0 || ::fsync(journal_fd_) != 0)
      return os_error("cannot cut " + jpath);
  }
  if (::lseek(journal_fd_, static_cast<off_t>(pos), SEEK_SET) < 0) return os_error("cannot seek " + jpath);
  records_ = replayed + skipped;
  bytes_ = pos;
  written_.store(seq_);
  synced_ = seq_;
  metrics_.journal(bytes_, records_);
  metrics_.outbox(outbox_.size());
  log_line("info", "alert state restored",
           {{"policy", policy_}, {"snapshot_seq", covered}, {"replayed", replayed}, {"skipped", skipped}, {"seq", seq_},
            {"notifications_pending", outbox_.size()}});
  return {};
}

Status AlertStore::append(std::string_view body, const std::string& now, char type) {
  if (journal_fd_ < 0) return {};
  std::string rec = header(type, seq_ + 1, now, body);
  rec.append(body.data(), body.size());
  rec.push_back('\n');
  if (!write_all(journal_fd_, rec)) {
    Error e = os_error("cannot write the alert journal");
    // Put the file back where it was: a half-written record must not stay before the next one.
    if (::ftruncate(journal_fd_, static_cast<off_t>(bytes_)) == 0) ::lseek(journal_fd_, static_cast<off_t>(bytes_), SEEK_SET);
    return e;
  }
  ++seq_;
  written_.store(seq_);
  ++records_;
  bytes_ += rec.size();
  metrics_.journal(bytes_, records_);
  return {};
}

// Group commit: the first waiter fsyncs everything written so far; those who wait meanwhile
// find their record covered by that fsync or the next one. One fdatasync serves every request
// that arrived while the previous one ran.
void AlertStore::wait_durable(uint64_t seq) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  while (synced_ < seq) {
    if (syncing_) {
      sync_cv_.wait(lock);
      continue;
    }
    syncing_ = true;
    const uint64_t target = written_.load();
    lock.unlock();
    const bool ok = ::fdatasync(journal_fd_) == 0;
    if (!ok) {
      // An acknowledged record must be on disk. After a failed fsync the kernel may have
      // dropped the pages: stop, so that a restart serves only what the journal really holds.
      log_line("error", "fsync of the alert journal failed: exiting", {{"error", std::strerror(errno)}});
      std::_Exit(70);
    }
    lock.lock();
    syncing_ = false;
    if (target > synced_) synced_ = target;
    sync_cv_.notify_all();
  }
}

AlertStore::Pushed AlertStore::apply(std::string_view body, const std::string& now) {
  Pushed out;
  AlertOptions o;
  o.policy = policy_;
  o.now = now;
  o.source = "request";
  AlertReport r = engine_->alerts_push(body, o);
  out.ndjson = std::move(r.json);
  out.errors = std::move(r.errors);
  return out;
}

AlertStore::Pushed AlertStore::push(std::string_view body, const std::string& now) {
  uint64_t seq = 0;
  Pushed p = push_locked(body, now, seq);
  // Answer only once the record is on disk (written before it was applied, synced here, with
  // the records of concurrent requests).
  if (seq && !p.journal_failed && journal_fd_ >= 0) wait_durable(seq);
  if (on_change_) on_change_();
  return p;
}

AlertStore::Pushed AlertStore::push_locked(std::string_view body, const std::string& now, uint64_t& seq) {
  std::lock_guard<std::mutex> lock(mu_);
  if (policy_.empty()) {
    Pushed p;
    p.errors.push_back(Error(ErrorCode::kNotFound, "no AlertDedup policy serves alerts (see --alerts-policy)"));
    return p;
  }
  Status s = append(body, now);
  if (!s.ok()) {
    log_line("error", "journal write failed", {{"error", s.error().message}});
    Pushed p;
    p.journal_failed = true;
    p.errors.push_back(s.error());
    return p;
  }
  seq = seq_;
  Pushed p = apply(body, now);
  collect(p.ndjson, seq_);
  // Count the stream's lines by decision (alerts) or type (notifications, silences, errors).
  size_t start = 0;
  while (start < p.ndjson.size()) {
    size_t eol = p.ndjson.find('\n', start);
    if (eol == std::string::npos) eol = p.ndjson.size();
    auto j = nlohmann::json::parse(std::string_view(p.ndjson).substr(start, eol - start), nullptr, false);
    if (j.is_object()) {
      std::string what = j.value("type", "");
      if (what == "alert") what = j.value("decision", "alert");
      metrics_.alert_lines(what, 1);
    }
    start = eol + 1;
  }
  if (snapshot_every_ && records_ >= snapshot_every_) {
    Status c = checkpoint_locked();
    if (!c.ok()) log_line("error", "snapshot failed", {{"error", c.error().message}});
  }
  return p;
}

std::string AlertStore::stream_state() {
  std::lock_guard<std::mutex> lock(mu_);
  return stream_state_locked();
}

std::string AlertStore::stream_state_locked() {
  std::string snap = engine_->alerts_snapshot();
  auto j = nlohmann::json::parse(snap, nullptr, false);
  if (j.is_object() && j.contains("streams") && j["streams"].is_array())
    for (const auto& s : j["streams"])
      if (s.is_object() && s.value("policy", "") == policy_) return s.dump();
  return "{}";
}

Status AlertStore::checkpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoint_locked();
}

Status AlertStore::checkpoint_locked() {
  if (dir_.empty() || journal_fd_ < 0) return {};
  std::string state = engine_->alerts_snapshot();
  nlohmann::json box = nlohmann::json::array();
  for (const Outgoing& o : outbox_) box.push_back({{"id", o.id}, {"receiver", o.receiver}, {"url", o.url}, {"payload", o.payload}});
  std::string text = "{\"journal_seq\":" + std::to_string(seq_) + ",\"state\":" + state +
                     ",\"outbox\":" + box.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "}\n";
  const std::string tmp = dir_ + "/snapshot.json.tmp", final_path = dir_ + "/snapshot.json";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot write " + tmp);
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return os_error("cannot write " + tmp);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return os_error("cannot replace " + final_path);
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  // The snapshot names the last sequence it covers: a crash before this truncation replays
  // nothing twice (records up to journal_seq are skipped).
  if (::ftruncate(journal_fd_, 0) != 0 || ::lseek(journal_fd_, 0, SEEK_SET) < 0 || ::fsync(journal_fd_) != 0)
    return os_error("cannot empty the alert journal");
  records_ = 0;
  bytes_ = 0;
  metrics_.journal(0, 0);
  {
    // The snapshot holds every record written so far, on disk: they are durable.
    std::lock_guard<std::mutex> sync_lock(sync_mu_);
    if (seq_ > synced_) synced_ = seq_;
  }
  sync_cv_.notify_all();
  log_line("info", "snapshot written", {{"file", final_path}, {"journal_seq", seq_}, {"bytes", text.size()}});
  return {};
}

}  // namespace verdict::serve
