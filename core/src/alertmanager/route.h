// Alertmanager's routing tree (dispatch/route.go), shared by TriageRouting and AlertDedup:
// the route node, generic over a kind's per-route options, its loading from a policy, its
// key, and the walk with Alertmanager's semantics.
//
// Semantics (Route.Match): the root matches every input; the children of a matching route
// are tried in order, depth first; the first child that matches is followed and its later
// siblings are not tried, unless it has `continue`; a matching route none of whose children
// match is itself a match. Options are inherited: a child starts from its parent's
// (Opts::inherited()) and sets what it says itself, so a route's `opts` are its effective
// options.
//
//   struct Opts { std::string receiver; Opts inherited() const { return *this; } };
//   alertmanager::Route<Opts> root = ...;        // loaded with load_matchers / load_children
//   struct Walker {
//     struct None {};
//     None enter(const R&) { return {}; }        // before the children of a matching route
//     bool matches(const R& child, size_t index, None&, const std::vector<const R*>& path) { ... }
//     void leaf(const std::vector<const R*>& path) { ... }   // a match (path from the root)
//   } w;
//   alertmanager::walk(root, w, path);
//
// A loaded tree is immutable (thread-safe reads); a walk's state is the caller's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alertmanager/matcher.h"
#include "policy/policy.h"

namespace verdict::alertmanager {

constexpr int kMaxRouteDepth = 32;

template <class Opts>
struct Route {
  std::string name;
  std::vector<Matcher> matchers;  // every one must match
  bool cont = false;              // `continue`: the later siblings are tried too
  Opts opts;                      // effective: inherited, then this route's own
  std::vector<Route> routes;      // children, in order
};

// Route.Match from the children of `node` down; `path` ends with `node` (the root, when
// called from walk()). The walker's enter() runs before a matching route's children are
// tried (TriageRouting matches their regexes in one RE2::Set pass there); matches() is called
// with `path` ending with the child; leaf() with the path of each match, in order.
template <class R, class Walker>
void walk_children(const R& node, std::vector<const R*>& path, Walker& w) {
  auto state = w.enter(node);
  bool any = false;
  for (size_t i = 0; i < node.routes.size(); ++i) {
    const R& child = node.routes[i];
    path.push_back(&child);
    bool ok = w.matches(child, i, state, path);
    if (ok) {
      any = true;
      walk_children(child, path, w);
    }
    path.pop_back();
    if (ok && !child.cont) break;
  }
  if (!any) w.leaf(path);
}

// The whole walk from the root (which matches every input). `path` is scratch.
template <class R, class Walker>
void walk(const R& root, Walker& w, std::vector<const R*>& path) {
  path.clear();
  path.push_back(&root);
  walk_children(root, path, w);
}

// The matched routes (Route.Match) when a route matches on its matchers alone, by
// `lookup(name)`, the value of a label ("" when missing). `charge(route, matcher, value)` is
// called before each regex matcher is matched (its work grows with the value); when it
// returns false the walk stops there, no further route is tried, and the function returns
// false (what is in `out` is then incomplete).
template <class R, class Lookup, class Charge>
bool match_routes(const R& root, Lookup&& lookup, Charge&& charge, std::vector<const R*>& out,
                  std::vector<const R*>& path) {
  struct Walker {
    Lookup& lookup;
    Charge& charge;
    std::vector<const R*>& out;
    bool stopped = false;
    struct None {};
    None enter(const R&) { return {}; }
    bool matches(const R& child, size_t, None&, const std::vector<const R*>&) {
      if (stopped) return false;
      for (const Matcher& m : child.matchers) {
        std::string_view v = lookup(m.name);
        if (m.is_regex() && !charge(child, m, v)) {
          stopped = true;
          return false;
        }
        if (!m.matches(v)) return false;
      }
      return true;
    }
    void leaf(const std::vector<const R*>& p) {
      if (!stopped) out.push_back(p.back());
    }
  } w{lookup, charge, out};
  walk(root, w, path);
  return !w.stopped;
}

template <class R, class Lookup>
void match_routes(const R& root, Lookup&& lookup, std::vector<const R*>& out, std::vector<const R*>& path) {
  match_routes(root, lookup, [](const R&, const Matcher&, std::string_view) { return true; }, out, path);
}

// Route.Key(): the parent's key, "/", then the route's matchers ({} for none), as
// Alertmanager writes them (sorted: sort_matchers). The root's key is "{}".
std::string route_key(std::string_view parent_key, const std::vector<Matcher>& sorted);

// ---- loading (from a policy's JSON, with positioned errors) ----------------------------

// Reads obj[key], a list of matcher strings (each in Alertmanager's list syntax, so one
// string may hold several), appending to `out` in the order written. An error is placed at
// its string; `required`: a missing key is an error too.
void load_matchers(policy::PolicyBuilder& b, const nlohmann::ordered_json& obj, const std::string& pointer, const char* key,
                   const Syntax& syntax, std::vector<Matcher>& out, bool required = false);

// Reads `routes` of the route object `r` at `p` into route.routes: each child must be an
// object; it starts with route.opts.inherited() and is read by load_child(child_json,
// child_pointer, child_route, child_depth). Deeper than kMaxRouteDepth is an error.
template <class Opts, class LoadChild>
void load_children(policy::PolicyBuilder& b, const nlohmann::ordered_json& r, const std::string& p, Route<Opts>& route,
                   int depth, LoadChild&& load_child) {
  const nlohmann::ordered_json* children = b.get(r, p, "routes", false, nlohmann::ordered_json::value_t::array);
  if (!children) return;
  for (size_t i = 0; i < children->size(); ++i) {
    std::string cp = policy::pointer_join(policy::pointer_join(p, "routes"), i);
    if (!(*children)[i].is_object()) {
      b.fail(cp, ErrorCode::kInvalidPolicy, "a route is an object");
      continue;
    }
    if (depth + 1 > kMaxRouteDepth) {
      b.fail(cp, ErrorCode::kLimitExceeded, "routes nest deeper than " + std::to_string(kMaxRouteDepth) + " levels");
      continue;
    }
    Route<Opts> child;
    child.opts = route.opts.inherited();
    load_child((*children)[i], cp, child, depth + 1);
    route.routes.push_back(std::move(child));
  }
}

}  // namespace verdict::alertmanager
