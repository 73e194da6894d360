#include "serve/bundle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace verdict::serve {

namespace fs = std::filesystem;

namespace {
bool slurp(const std::string& path, std::string& out, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "cannot open " + path;
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

bool ends_with(const std::string& s, const char* suffix) {
  std::string_view x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}
}  // namespace

bool read_bundle(const std::vector<std::string>& bundle, const std::vector<std::string>& data, BundleTexts& out,
                 std::string& why) {
  for (const auto& root : bundle) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(root, ec)) {
      for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        std::string p = it->path().string();
        if (it->is_regular_file(ec) && ends_with(p, ".json") && !ends_with(p, ".test.json")) files.push_back(p);
      }
      if (ec) {
        why = "cannot read the folder " + root + ": " + ec.message();
        return false;
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        why = "no policy files (*.json) in " + root;
        return false;
      }
    } else {
      files.push_back(root);
    }
    for (const auto& p : files) {
      BundleFile f{p, {}};
      if (!slurp(p, f.text, why)) return false;
      out.policies.push_back(std::move(f));
    }
  }
  for (const auto& p : data) {
    BundleFile f{p, {}};
    if (!slurp(p, f.text, why)) return false;
    out.data.push_back(std::move(f));
  }
  return true;
}

std::vector<Error> load_engine(Engine& engine, const BundleTexts& texts) {
  std::vector<Error> errors;
  for (const auto& f : texts.policies) {
    LoadReport r = engine.load_policies(f.text, f.path);
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  }
  for (const auto& f : texts.data) {
    LoadReport r = engine.load_data(f.text, f.path);
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  }
  return errors;
}

void EnginePool::add(std::unique_ptr<Engine> e) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(e.get());
  all_.push_back(std::move(e));
}

EnginePool::Lease EnginePool::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  Engine* e = free_.back();
  free_.pop_back();
  return Lease(*this, e);
}

void EnginePool::release(Engine* e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(e);
  }
  cv_.notify_one();
}

}  // namespace verdict::serve
