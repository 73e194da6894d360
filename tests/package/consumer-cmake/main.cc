// A C++ host of verdict through verdict::Engine (tests/package/install.sh):
//   consumer POLICY DATA INPUT NOW EXPECTED
// Loads POLICY and DATA, evaluates INPUT at NOW, prints the decision and exits 0 when it
// contains EXPECTED.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <verdict/engine.h>

static std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: consumer POLICY DATA INPUT NOW EXPECTED\n";
    return 2;
  }
  std::cout << "verdict " << verdict::version() << "\n";
  verdict::Engine engine;
  verdict::LoadReport p = engine.load_policies(slurp(argv[1]), argv[1]);
  if (!p.ok()) {
    std::cerr << p.json << "\n";
    return 1;
  }
  verdict::LoadReport d = engine.load_data(slurp(argv[2]), argv[2]);
  if (!d.ok()) {
    std::cerr << d.json << "\n";
    return 1;
  }
  verdict::EvalOptions opt;
  opt.now = argv[4];
  opt.format = verdict::InputFormat::kJson;
  verdict::EvalReport r = engine.evaluate(slurp(argv[3]), opt);
  std::cout << r.json << "\n";
  if (!r.ok() || r.json.find(argv[5]) == std::string::npos) {
    std::cerr << "expected " << argv[5] << "\n";
    return 1;
  }
  return 0;
}
