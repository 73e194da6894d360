// A fixed-rate HTTP/1.1 client for `scripts/bench.sh serve` (wrk has no fixed rate; a Node
// client could not send fast enough on this machine): CONNECTIONS keep-alive connections to
// 127.0.0.1:PORT, one thread each, together sending RATE POSTs per second for SECONDS. Each
// latency is measured from when its request was due, not from when it could be sent, so a
// server that falls behind shows it (no coordinated omission). Prints one JSON line.
//
//   serve_rate PORT PATH BODY_FILE RATE SECONDS CONNECTIONS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{10, 0};  // bounded: a silent server fails the request after 10 s
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `req` and reads one response; its status, or -1 (the connection is then closed).
int exchange(int& fd, int port, const std::string& req, std::string& buf) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd < 0) fd = connect_loopback(port);
    if (fd < 0) return -1;
    size_t off = 0;
    bool sent = true;
    while (off < req.size()) {
      ssize_t w = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (w <= 0) {
        sent = false;
        break;
      }
      off += static_cast<size_t>(w);
    }
    buf.clear();
    size_t header_end = std::string::npos, need = 0;
    char chunk[65536];
    while (sent) {
      ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
      if (r <= 0) break;
      buf.append(chunk, static_cast<size_t>(r));
      if (header_end == std::string::npos) {
        header_end = buf.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        size_t cl = buf.find("Content-Length: ");
        need = header_end + 4 + (cl != std::string::npos && cl < header_end ? std::strtoul(buf.c_str() + cl + 16, nullptr, 10) : 0);
      }
      if (buf.size() >= need) return std::atoi(buf.c_str() + 9);  // "HTTP/1.1 200"
    }
    ::close(fd);  // closed by the server (keep-alive limit): reconnect once
    fd = -1;
    if (!buf.empty()) return -1;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: serve_rate PORT PATH BODY_FILE RATE SECONDS CONNECTIONS\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string path = argv[2];
  std::ifstream f(argv[3], std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string body = ss.str();
  const double rate = std::atof(argv[4]), seconds = std::atof(argv[5]);
  const int conns = std::max(1, std::atoi(argv[6]));
  const std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  const long total = std::max(1L, static_cast<long>(rate * seconds));
  std::vector<double> latencies;
  long errors = 0;
  std::mutex mu;
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(50);
  std::vector<std::thread> threads;
  for (int c = 0; c < conns; ++c)
    threads.emplace_back([&, c] {
      int fd = -1;
      std::string buf;
      std::vector<double> mine;
      long bad = 0;
      for (long i = c; i < total; i += conns) {
        const Clock::time_point due = start + std::chrono::nanoseconds(static_cast<long long>(static_cast<double>(i) * 1e9 / rate));
        std::this_thread::sleep_until(due);
        int status = exchange(fd, port, req, buf);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        if (status == 200) mine.push_back(ms);
        else ++bad;
      }
      if (fd >= 0) ::close(fd);
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      errors += bad;
    });
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto q = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  std::printf("{\"rate\":%.1f,\"sent\":%ld,\"ok\":%zu,\"errors\":%ld,\"achieved\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
              "\"max_ms\":%.3f}\n",
              rate, total, latencies.size(), errors, static_cast<double>(total) / wall, q(0.5), q(0.9), q(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  return 0;
}
