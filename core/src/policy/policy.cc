#include "policy/policy.h"

#include <cstdio>

#include "policy/kind.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace verdict::policy {

using json = nlohmann::ordered_json;

namespace {

const char* json_type_name(json::value_t t) {
  switch (t) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "a value";
  }
}

bool type_matches(const json& v, json::value_t want) {
  if (want == json::value_t::number_float) return v.is_number();
  if (want == json::value_t::number_integer) return v.is_number_integer();
  return v.type() == want;
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

void begin(lang::EvalContext& ctx, const DecisionContext& dc) {
  lang::DecisionSetup setup;
  setup.cmdb = dc.cmdb;
  setup.has_now = dc.has_now;
  setup.now = dc.now;
  setup.explain = dc.explain;
  ctx.begin_decision(setup);
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kJson: return "json";
    case Format::kText: return "text";
    case Format::kJunit: return "junit";
    case Format::kGithub: return "github";
    case Format::kSvg: return "svg";
  }
  return "json";
}

TextOut& TextOut::operator<<(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      out_ += "\\x";
      out_.push_back(digits[c >> 4]);
      out_.push_back(digits[c & 0xf]);
    } else {
      out_.push_back(static_cast<char>(c));
    }
  }
  return *this;
}

TextOut& TextOut::operator<<(int64_t n) {
  out_ += std::to_string(n);
  return *this;
}

TextOut& TextOut::operator<<(double x) {
  JsonWriter w;
  w.number(x);
  out_.append(w.view());
  return *this;
}

void Decision::write_junit(std::string&, const DecisionHeader&) const {}
void Decision::write_github(std::string&, const DecisionHeader&) const {}
void Decision::write_svg(std::string&, const DecisionHeader&) const {}

const char* CompiledPolicy::kind() const { return info_ ? info_->name.data() : ""; }

Error CompiledPolicy::locate(const Expr& expr, const Error& e) const {
  Error out = source_->error_in_string(expr.pointer, e.offset >= 0 ? static_cast<size_t>(e.offset) : 0, e.code, e.message);
  return out;
}

lang::Val CompiledPolicy::evaluate(const Expr& e, lang::EvalContext& ctx, std::vector<Error>& errors) const {
  size_t before = ctx.errors().size();
  lang::Val v = lang::evaluate(*e.program, ctx);
  if (v.is_error() && ctx.errors().size() > before) errors.push_back(locate(e, ctx.errors()[v.err]));
  return v;
}

const json* PolicyBuilder::get(const json& obj, const std::string& pointer, const char* key, bool required,
                               json::value_t type) {
  auto it = obj.find(key);
  std::string p = pointer_join(pointer, key);
  if (it == obj.end()) {
    if (required) fail(pointer, ErrorCode::kInvalidPolicy, std::string("missing \"") + key + "\"");
    return nullptr;
  }
  if (!type_matches(*it, type)) {
    fail(p, ErrorCode::kInvalidPolicy,
         std::string("\"") + key + "\" must be " + json_type_name(type) + ", not " + json_type_name(it->type()));
    return nullptr;
  }
  return &*it;
}

void PolicyBuilder::only_keys(const json& obj, const std::string& pointer, std::initializer_list<const char*> allowed) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(pointer_join(pointer, it.key()), ErrorCode::kInvalidPolicy,
           "unknown key \"" + it.key() + "\" (expected one of: " + list + ")", true);
    }
  }
}

bool PolicyBuilder::compile(const json& value, const std::string& pointer, const lang::Environment& env, Expr& out) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_boolean() || value.is_number()) {
    text = value.dump();  // `true`, `3`: constants are expressions too
  } else {
    fail(pointer, ErrorCode::kInvalidPolicy, "expected an expression (a string), not " + std::string(json_type_name(value.type())));
    return false;
  }
  auto prog = lang::compile(text, env, limits);
  if (!prog.ok()) {
    const Error& e = prog.error();
    if (value.is_string())
      errors.push_back(src->error_in_string(pointer, e.offset >= 0 ? static_cast<size_t>(e.offset) : 0, e.code, e.message));
    else
      errors.push_back(src->error_at(pointer, e.code, e.message));
    return false;
  }
  for (const auto& w : prog.value()->warnings) {
    Error located = value.is_string()
                        ? src->error_in_string(pointer, static_cast<size_t>(std::max<int64_t>(w.error.offset, 0)), w.error.code, w.error.message)
                        : src->error_at(pointer, w.error.code, w.error.message);
    warnings.push_back(std::move(located));
  }
  out.program = std::move(prog).value();
  out.pointer = pointer;
  out.text = std::move(text);
  return true;
}

void PolicyBuilder::finish(CompiledPolicy& p, const KindInfo& info, Metadata meta, std::string canonical) {
  p.info_ = &info;
  p.meta_ = std::move(meta);
  p.canonical_ = std::move(canonical);
  p.source_ = src;
  p.warnings_ = warnings;
}

void write_errors(JsonWriter& w, const std::vector<Error>& errors) {
  w.begin_array();
  for (const Error& e : errors) write_error_json(w, e);
  w.end_array();
}

LoadResult load_policies(std::string_view text, const std::string& source, const lang::ExprLimits& limits,
                         const std::vector<KindInfo>& kinds) {
  LoadResult out;
  if (text.size() > limits.max_policy_bytes) {
    Error e(ErrorCode::kLimitExceeded, "the policy file is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                                           std::to_string(limits.max_policy_bytes) + " (PolicyLimits::max_bytes; docs/limits.md)");
    e.source = source;
    e.offset = static_cast<int64_t>(limits.max_policy_bytes);
    set_line_column(e, text.data(), text.size());
    out.errors.push_back(std::move(e));
    return out;
  }
  auto parsed = JsonSource::parse(text, source, limits.max_policy_depth);
  if (!parsed.ok()) {
    out.errors.push_back(parsed.error());
    return out;
  }
  auto src = std::make_shared<const JsonSource>(std::move(parsed).value());
  const json& root = src->root();
  std::vector<std::pair<const json*, std::string>> docs;
  if (root.is_array()) {
    for (size_t i = 0; i < root.size(); ++i) docs.emplace_back(&root[i], pointer_join("", i));
  } else {
    docs.emplace_back(&root, "");
  }
  if (docs.empty()) {
    out.errors.push_back(src->error_at("", ErrorCode::kInvalidPolicy, "no policy in the file"));
    return out;
  }
  for (const auto& [doc, ptr] : docs) {
    PolicyBuilder b{src, ptr, limits, {}, {}};
    if (!doc->is_object()) {
      b.fail(ptr, ErrorCode::kInvalidPolicy, "a policy document must be an object with apiVersion, kind, metadata and spec");
      out.errors.insert(out.errors.end(), b.errors.begin(), b.errors.end());
      continue;
    }
    b.only_keys(*doc, ptr, {"apiVersion", "kind", "metadata", "spec"});
    const json* api = b.get(*doc, ptr, "apiVersion", true, json::value_t::string);
    if (api && *api != "verdict/v1")
      b.fail(pointer_join(ptr, "apiVersion"), ErrorCode::kInvalidPolicy, "unsupported apiVersion \"" + api->get<std::string>() + "\" (expected \"verdict/v1\")");
    const json* kind = b.get(*doc, ptr, "kind", true, json::value_t::string);
    const json* meta = b.get(*doc, ptr, "metadata", true, json::value_t::object);
    const json* spec = b.get(*doc, ptr, "spec", true, json::value_t::object);
    Metadata m;
    if (meta) {
      std::string mp = pointer_join(ptr, "metadata");
      b.only_keys(*meta, mp, {"name", "version", "description", "labels", "owner"});
      if (const json* name = b.get(*meta, mp, "name", true, json::value_t::string)) {
        m.name = name->get<std::string>();
        if (!valid_name(m.name))
          b.fail(pointer_join(mp, "name"), ErrorCode::kInvalidPolicy, "a policy name uses letters, digits, '-', '_' and '.' (at most 128)");
      }
      if (const json* v = b.get(*meta, mp, "version", false, json::value_t::string)) m.version = v->get<std::string>();
      if (const json* d = b.get(*meta, mp, "description", false, json::value_t::string)) m.description = d->get<std::string>();
    }
    std::unique_ptr<CompiledPolicy> compiled;
    const KindInfo* info = nullptr;
    if (kind && spec) {
      for (const KindInfo& k : kinds)
        if (k.name == kind->get<std::string>()) info = &k;
      if (!info) {
        std::string known;
        for (const KindInfo& k : kinds) known += (known.empty() ? "" : ", ") + std::string(k.name);
        b.fail(pointer_join(ptr, "kind"), ErrorCode::kUnknownName, "unknown policy kind \"" + kind->get<std::string>() + "\" (known: " + known + ")");
      } else {
        compiled = info->load(*spec, b);
      }
    }
    if (!b.errors.empty() || !compiled) {
      out.errors.insert(out.errors.end(), b.errors.begin(), b.errors.end());
      if (b.errors.empty()) out.errors.push_back(src->error_at(ptr, ErrorCode::kInvalidPolicy, "the policy could not be loaded"));
      continue;
    }
    for (const auto& earlier : out.policies)
      if (earlier->meta().name == m.name)
        b.fail(pointer_join(pointer_join(ptr, "metadata"), "name"), ErrorCode::kInvalidPolicy,
               "another policy in this file is already named \"" + m.name + "\"");
    if (!b.errors.empty()) {
      out.errors.insert(out.errors.end(), b.errors.begin(), b.errors.end());
      continue;
    }
    b.finish(*compiled, *info, m, doc->dump());
    out.warnings.insert(out.warnings.end(), b.warnings.begin(), b.warnings.end());
    out.policies.push_back(std::move(compiled));
  }
  return out;
}

void write_reads(JsonWriter& w, const lang::Program& program, const lang::EvalContext& ctx, size_t from) {
  if (ctx.reads().size() <= from) return;
  w.key("values").begin_object();
  std::vector<int32_t> seen;
  for (size_t i = from; i < ctx.reads().size(); ++i) {
    const auto& r = ctx.reads()[i];
    bool dup = false;
    for (int32_t x : seen) dup = dup || x == r.path_id;
    if (dup) continue;
    seen.push_back(r.path_id);
    w.key(program.paths[static_cast<size_t>(r.path_id)]);
    lang::write_val(w, r.value);
  }
  w.end_object();
}

void copy_reads(const lang::Program& program, const lang::EvalContext& ctx, size_t from, std::vector<ReadValue>& out) {
  out.clear();
  for (size_t i = from; i < ctx.reads().size(); ++i) {
    const auto& r = ctx.reads()[i];
    const std::string& path = program.paths[static_cast<size_t>(r.path_id)];
    bool dup = false;
    for (const ReadValue& x : out) dup = dup || x.path == path;
    if (dup) continue;
    out.push_back({path, lang::val_to_json(r.value)});
  }
}

void write_read_values(JsonWriter& w, const std::vector<ReadValue>& reads) {
  if (reads.empty()) return;
  w.key("values").begin_object();
  for (const ReadValue& r : reads) w.key(r.path).raw(r.json);
  w.end_object();
}

}  // namespace verdict::policy
