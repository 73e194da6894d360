#include "alertmanager/route.h"

namespace verdict::alertmanager {

using json = nlohmann::ordered_json;

std::string route_key(std::string_view parent_key, const std::vector<Matcher>& sorted) {
  std::string key;
  if (!parent_key.empty()) {
    key.assign(parent_key);
    key.push_back('/');
  }
  append_matchers(key, sorted);
  return key;
}

void load_matchers(policy::PolicyBuilder& b, const json& obj, const std::string& pointer, const char* key, const Syntax& syntax,
                   std::vector<Matcher>& out, bool required) {
  const json* ms = b.get(obj, pointer, key, required, json::value_t::array);
  if (!ms) return;
  for (size_t i = 0; i < ms->size(); ++i) {
    std::string mp = policy::pointer_join(policy::pointer_join(pointer, key), i);
    if (!(*ms)[i].is_string()) {
      b.fail(mp, ErrorCode::kInvalidPolicy, "a matcher is a string like severity=\"critical\"");
      continue;
    }
    Error e;
    if (!parse_matchers((*ms)[i].get<std::string>(), syntax, out, e)) b.fail(mp, e.code, e.message);
  }
}

}  // namespace verdict::alertmanager
