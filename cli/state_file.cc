#include "cli/state_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "cli/common.h"

namespace verdict::cli {

namespace {

std::string folder_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string sys_error() { return std::strerror(errno); }

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

StateFile::~StateFile() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

bool StateFile::lock(const std::string& path, std::string& why) {
  path_ = path;
  std::string lock_path = path + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    why = "cannot open the lock file " + lock_path + ": " + sys_error();
    return false;
  }
  while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK)
      why = "the state " + path + " is in use by another verdict process (locked through " + lock_path +
            "); nothing was read or written: run again when it has finished";
    else
      why = "cannot lock " + lock_path + ": " + sys_error();
    ::close(lock_fd_);
    lock_fd_ = -1;
    return false;
  }
  return true;
}

bool StateFile::read(std::string& text, bool& exists, std::string& why) const {
  struct stat st {};
  exists = ::stat(path_.c_str(), &st) == 0;
  if (!exists) {
    if (errno == ENOENT) return true;
    why = "cannot read the state " + path_ + ": " + sys_error();
    return false;
  }
  return read_file(path_, text, why);
}

bool StateFile::write(std::string_view text, std::string& why) const {
  std::string tmpl = path_ + ".XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) {
    why = "cannot create a temporary file next to " + path_ + ": " + sys_error();
    return false;
  }
  std::string tmp(name.data());
  ::fchmod(fd, 0644);  // mkstemp makes 0600; a state is as readable as any file we write
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  std::string err = ok ? "" : sys_error();
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = sys_error();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    why = "cannot write " + tmp + ": " + err;
    return false;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    why = "cannot replace " + path_ + ": " + sys_error();
    ::unlink(tmp.c_str());
    return false;
  }
  // The rename is durable once the folder's entry is on disk.
  int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    why = "the state " + path_ + " was replaced but its folder could not be synced: " + sys_error();
    if (dir >= 0) ::close(dir);
    return false;
  }
  ::close(dir);
  return true;
}

}  // namespace verdict::cli
