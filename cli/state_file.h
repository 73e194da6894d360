// The state file of `verdict alerts --state` (docs/alerts.md, "State files"): one process at a
// time, and a crash at any moment leaves the old state or the new one, never a mix.
//
//   StateFile f;
//   if (!f.lock("state.json", why)) ...   // another verdict holds it: fail, do not wait
//   f.read(text, exists, why);            // the last state written, if any
//   f.write(snapshot, why);               // unique temporary, fsync, rename, fsync of the folder
//
// The lock is an exclusive flock(2) on "PATH.lock", a file that is created once and never
// replaced (a lock on PATH itself would be lost with the inode a rename replaces). It is held
// from before the state is read until after the new one is in place, so two runs on one file
// cannot both read the same state and overwrite each other's events. Not thread-safe; not
// copyable; the destructor releases the lock.
#pragma once

#include <string>
#include <string_view>

namespace verdict::cli {

class StateFile {
 public:
  StateFile() = default;
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;
  ~StateFile();

  // Takes the lock of `path` without waiting; false with `why` when another process holds it
  // or the lock file cannot be opened.
  bool lock(const std::string& path, std::string& why);
  // Reads the state; `exists` is false (and the result true) when there is none yet.
  bool read(std::string& text, bool& exists, std::string& why) const;
  // Replaces the state with `text`, durably: a temporary file with a unique name next to it,
  // written and fsync'ed, renamed over the state, then the folder fsync'ed.
  bool write(std::string_view text, std::string& why) const;

 private:
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace verdict::cli
