# `verdict test --coverage` on AlertDedup policies (docs/policies.md, "Coverage"): routes,
# silences, windows and rate limits, read from the stream's explain trace (docs/alerts.md,
# "Explain"). -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")

file(WRITE "${WORK}/cov.json" [=[{
  "apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "cov"},
  "spec": {
    "route": {
      "receiver": "desk", "group_by": ["alertname"], "group_wait": "10s",
      "routes": [
        {"name": "pages", "matchers": ["severity=\"critical\""], "receiver": "pager"},
        {"matchers": ["team=\"night\""], "receiver": "night", "mute_windows": ["weekend"]},
        {"name": "never", "matchers": ["team=\"nobody\""], "receiver": "x"}
      ]
    },
    "windows": {"weekend": {"times": [{"days": ["sat", "sun"]}]}, "unused": {"times": [{"days": ["mon"]}]}},
    "silences": [{"id": "quiet", "matchers": ["alertname=\"Quiet\""], "startsAt": "2025-01-01T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}],
    "rate_limits": [{"name": "few", "by": ["service"], "max": 1, "per": "1m"}]
  }
}
]=])
# Case 2's notification falls on a Saturday: the weekend mute window holds it back. Its
# expected lines are those of a run without explain (no "muted" line).
file(WRITE "${WORK}/cov.test.json" [=[{
  "apiVersion": "verdict/v1", "kind": "PolicyTest", "metadata": {"name": "cov-tests"},
  "spec": {
    "policies": ["cov.json"],
    "cases": [
      {"name": "a critical alert pages", "events": [{"labels": {"alertname": "A", "severity": "critical"}, "at": "2025-03-14T10:00:00Z"}],
       "expect": [{"decision": "new", "groups[0].receiver": "pager"}]},
      {"name": "the night team is muted at the weekend",
       "steps": [{"events": [{"labels": {"alertname": "B", "team": "night"}, "at": "2025-03-15T10:00:00Z"}], "now": "2025-03-15T10:05:00Z"}],
       "expect": [{"decision": "new", "groups[0].receiver": "night"}]}
    ]
  }
}
]=])

# 1. Each part no case exercised, at its position; the muted line does not disturb case 2.
expect_run(0 out "${VERDICT}" test --coverage "${WORK}/cov.test.json")
expect_contains("${out}" "2 passed, 0 failed" "verdict test --coverage")
expect_contains("${out}" "coverage: cov (AlertDedup, ${WORK}/cov.json): 37.5% (routes 2/4, silences 0/1, windows 1/2, rate limits 0/1)\n" "the coverage line")
foreach(part "cov.json:4:14: route root not exercised" "cov.json:9:9: route root/never not exercised"
             "cov.json:13:18: silence quiet not exercised" "cov.json:12:77: window unused not exercised"
             "cov.json:14:21: rate limit few not exercised")
  expect_contains("${out}" "${part}" "the parts not exercised")
endforeach()
foreach(covered "route root/pages" "route root/route-2" "window weekend")
  if(out MATCHES "${covered} not exercised")
    message(FATAL_ERROR "${covered} was exercised:\n${out}")
  endif()
endforeach()

# 2. Exercising the rest (the root, the silence, the rate limit) covers them.
file(READ "${WORK}/cov.test.json" tests)
string(REPLACE "\n    ]\n  }\n}" [=[,
      {"name": "the rest", "events": [
        {"labels": {"alertname": "Quiet"}, "at": "2025-03-14T10:00:00Z"},
        {"labels": {"alertname": "C", "service": "s"}, "at": "2025-03-14T10:00:01Z"},
        {"labels": {"alertname": "D", "service": "s"}, "at": "2025-03-14T10:00:02Z"}],
       "expect": [{"decision": "silenced", "silenced_by": "quiet"}, {"decision": "new"}, {"decision": "rate_limited", "rate_limit": "few"}]}
    ]
  }
}]=] more "${tests}")
file(WRITE "${WORK}/cov.test.json" "${more}")
expect_run(0 out "${VERDICT}" test --coverage "${WORK}/cov.test.json")
expect_contains("${out}" "75.0% (routes 3/4, silences 1/1, windows 1/2, rate limits 1/1)\n" "coverage with the third case")
