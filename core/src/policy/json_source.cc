#include "policy/json_source.h"

#include <unordered_set>
#include <vector>

namespace verdict::policy {
namespace {

struct Token {
  uint32_t begin, end;
};

// The value and key tokens of the text in order, skipping whitespace, comments, ':' and ','.
// Each SAX event of nlohmann's parser corresponds to the next token, in the same order. Read
// as the events come (not the whole text first): a file refused at its 129th '[' is scanned
// no further than that.
class Tokens {
 public:
  explicit Tokens(std::string_view t) : t_(t) {
    if (t_.size() >= 3 && t_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = 3;  // a byte order mark (nlohmann skips it too)
  }
  Token next() {
    const size_t n = t_.size();
    while (i_ < n) {
      char c = t_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == ',') {
        ++i_;
      } else if (c == '/' && i_ + 1 < n && t_[i_ + 1] == '/') {
        while (i_ < n && t_[i_] != '\n') ++i_;
      } else if (c == '/' && i_ + 1 < n && t_[i_ + 1] == '*') {
        size_t close = t_.find("*/", i_ + 2);
        i_ = close == std::string_view::npos ? n : close + 2;
      } else if (c == '"') {
        size_t j = i_ + 1;
        while (j < n && t_[j] != '"') j += t_[j] == '\\' ? 2 : 1;
        Token out{static_cast<uint32_t>(i_), static_cast<uint32_t>(std::min(j + 1, n))};
        i_ = j + 1;
        return out;
      } else if (c == '{' || c == '}' || c == '[' || c == ']') {
        return {static_cast<uint32_t>(i_), static_cast<uint32_t>(++i_)};
      } else {
        size_t j = i_;
        while (j < n && t_[j] != ',' && t_[j] != '}' && t_[j] != ']' && t_[j] != ' ' && t_[j] != '\n' && t_[j] != '\t' &&
               t_[j] != '\r' && t_[j] != ':' && t_[j] != '/')
          ++j;
        if (j == i_) j = i_ + 1;
        Token out{static_cast<uint32_t>(i_), static_cast<uint32_t>(j)};
        i_ = j;
        return out;
      }
    }
    return {0, 0};
  }

 private:
  std::string_view t_;
  size_t i_ = 0;
};

using json = nlohmann::ordered_json;

class Sax {
 public:
  Sax(std::string_view text, json& root, std::unordered_map<std::string, Span>& values,
      std::unordered_map<std::string, Span>& keys, size_t max_depth)
      : tokens_(text), dom_(root, false), values_(values), keys_(keys), max_depth_(max_depth) {}

  // Each event records the position and builds the value (nlohmann's own DOM builder), so
  // the text is parsed once.
  bool null() { return scalar() && dom_.null(); }
  bool boolean(bool b) { return scalar() && dom_.boolean(b); }
  bool number_integer(json::number_integer_t v) { return scalar() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return scalar() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const std::string& s) { return scalar() && dom_.number_float(v, s); }
  bool string(std::string& v) { return scalar() && dom_.string(v); }
  bool binary(json::binary_t& v) { return scalar() && dom_.binary(v); }

  bool start_object(std::size_t n) {
    Token t = take();
    if (frames_.size() >= max_depth_) {
      too_deep_ = true;
      too_deep_at_ = t.begin;
      return false;
    }
    std::string p = value_pointer();
    values_[p] = {t.begin, t.begin};
    frames_.push_back({p, true, 0, {}, {}});
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    Token t = take();
    Frame& f = frames_.back();
    std::string p = pointer_join(f.pointer, k);
    if (f.seen.count(k)) {
      dup_ = true;
      dup_key_ = k;
      dup_at_ = t.begin;
      return false;
    }
    f.seen.insert(k);
    keys_[p] = {t.begin, t.end};
    f.key = k;
    return dom_.key(k);
  }
  bool end_object() {
    Token t = take();
    close(t);
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    Token t = take();
    if (frames_.size() >= max_depth_) {
      too_deep_ = true;
      too_deep_at_ = t.begin;
      return false;
    }
    std::string p = value_pointer();
    values_[p] = {t.begin, t.begin};
    frames_.push_back({p, false, 0, {}, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    Token t = take();
    close(t);
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    error_pos_ = position > 0 ? position - 1 : 0;
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error while ..."
    size_t colon = what.find(": ", what.find("column"));
    error_message_ = colon == std::string::npos ? what : what.substr(colon + 2);
    return false;
  }

  bool dup_ = false;
  bool too_deep_ = false;
  size_t too_deep_at_ = 0;
  std::string dup_key_;
  size_t dup_at_ = 0;
  size_t error_pos_ = 0;
  std::string error_message_;

 private:
  struct Frame {
    std::string pointer;
    bool object;
    size_t index;
    std::string key;
    std::unordered_set<std::string> seen;
  };
  Token take() { return tokens_.next(); }
  std::string value_pointer() {
    if (frames_.empty()) return "";
    Frame& f = frames_.back();
    if (f.object) return pointer_join(f.pointer, f.key);
    return pointer_join(f.pointer, f.index++);
  }
  bool scalar() {
    Token t = take();
    values_[value_pointer()] = {t.begin, t.end};
    return true;
  }
  void close(Token t) {
    auto it = values_.find(frames_.back().pointer);
    if (it != values_.end()) it->second.end = t.end;
    frames_.pop_back();
  }

  Tokens tokens_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::unordered_map<std::string, Span>& values_;
  std::unordered_map<std::string, Span>& keys_;
  std::vector<Frame> frames_;
  size_t max_depth_;
};

}  // namespace

std::string pointer_join(const std::string& base, std::string_view key) {
  std::string out = base;
  out.push_back('/');
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::string pointer_join(const std::string& base, size_t index) { return base + "/" + std::to_string(index); }

Result<JsonSource> JsonSource::parse(std::string_view text, std::string source, size_t max_depth) {
  JsonSource js;
  js.text_ = std::string(text);
  js.source_ = std::move(source);
  Sax sax(js.text_, js.root_, js.values_, js.keys_, max_depth);
  bool ok = json::sax_parse(js.text_, &sax, json::input_format_t::json, true, true);
  if (!ok) {
    Error e;
    if (sax.too_deep_) {
      e = Error(ErrorCode::kLimitExceeded, "arrays and objects nest deeper than " + std::to_string(max_depth) + " levels");
      e.offset = static_cast<int64_t>(sax.too_deep_at_);
    } else if (sax.dup_) {
      e = Error(ErrorCode::kDuplicateKey, "duplicate key \"" + sax.dup_key_ + "\"");
      e.offset = static_cast<int64_t>(sax.dup_at_);
    } else {
      bool empty = js.text_.find_first_not_of(" \t\r\n") == std::string::npos;
      e = Error(empty ? ErrorCode::kEmptyInput : ErrorCode::kInvalidJson,
                empty ? "the file is empty" : "invalid JSON: " + sax.error_message_);
      e.offset = static_cast<int64_t>(std::min(sax.error_pos_, js.text_.size()));
    }
    e.source = js.source_;
    set_line_column(e, js.text_.data(), js.text_.size());
    return e;
  }
  return js;
}

Span JsonSource::value_span(const std::string& pointer) const {
  auto it = values_.find(pointer);
  return it == values_.end() ? Span{} : it->second;
}

Span JsonSource::key_span(const std::string& pointer) const {
  auto it = keys_.find(pointer);
  return it == keys_.end() ? value_span(pointer) : it->second;
}

Error JsonSource::error_at(const std::string& pointer, ErrorCode code, std::string message, bool at_key) const {
  Error e(code, std::move(message));
  e.source = source_;
  // A missing member: point at its parent object.
  std::string p = pointer;
  while (!p.empty() && values_.find(p) == values_.end() && keys_.find(p) == keys_.end()) p = p.substr(0, p.rfind('/'));
  Span s = at_key ? key_span(p) : value_span(p);
  e.offset = s.begin;
  set_line_column(e, text_.data(), text_.size());
  return e;
}

Error JsonSource::error_in_string(const std::string& pointer, size_t index, ErrorCode code, std::string message) const {
  Error e(code, std::move(message));
  e.source = source_;
  Span s = value_span(pointer);
  // Walk the raw string, decoding escapes, until `index` decoded bytes have passed.
  size_t raw = s.begin + 1;
  size_t decoded = 0;
  while (raw < s.end && decoded < index) {
    if (text_[raw] == '\\' && raw + 1 < s.end) {
      if (text_[raw + 1] == 'u') {
        // \uXXXX decodes to 1-3 UTF-8 bytes (or 4 for a surrogate pair); count it as the
        // bytes it produces so that offsets inside the decoded text line up.
        unsigned cp = static_cast<unsigned>(std::strtoul(text_.substr(raw + 2, 4).c_str(), nullptr, 16));
        size_t bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        size_t step = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          bytes = 4;
          step = 12;
        }
        decoded += bytes;
        raw += step;
      } else {
        decoded += 1;
        raw += 2;
      }
    } else {
      decoded += 1;
      raw += 1;
    }
  }
  e.offset = static_cast<int64_t>(raw);
  set_line_column(e, text_.data(), text_.size());
  return e;
}

}  // namespace verdict::policy
