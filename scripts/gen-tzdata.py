#!/usr/bin/env python3
"""Writes the IANA time zone table that core/src/time/zone.cc compiles in.

Run by the build (CMakeLists.txt), natively and for Wasm, so both builds carry the same
data and decide the same: the Wasm build has no /usr/share/zoneinfo to read at run time.

    gen-tzdata.py ZONEINFO_DIR OUTPUT.inc

Reads Debian's tzdata: the zone and link names from ZONEINFO_DIR/tzdata.zi (and its
"# version" line), and each zone's compiled TZif file (the 64-bit data and the POSIX TZ
footer that governs times after the last transition). Per zone it keeps the transitions
up to the point where the footer rule reproduces them, and checks at every change point
that the trimmed table with the rule gives the offsets of the full file; any TZif or rule
it cannot read exactly stops the build rather than shipping a wrong zone.
"""
import os
import re
import struct
import sys

# Transitions before 1901-12-13T20:45:52Z (the range of TZif's 32-bit data) are dropped, and
# the offset then in force is the zone's offset for all earlier times (verdict's times are
# nanoseconds from 1677, but no ITSM record is that old); every later transition is kept.
FIRST = -2**31  # seconds


def read_tzif(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"TZif":
        raise ValueError(f"{path}: not a TZif file")
    version = data[4:5]
    if version not in (b"2", b"3", b"4"):
        raise ValueError(f"{path}: TZif version {version!r} has no 64-bit data")

    def header(off):
        counts = struct.unpack(">6l", data[off + 20:off + 44])
        return counts  # isutcnt isstdcnt leapcnt timecnt typecnt charcnt

    isut, isstd, leap, timecnt, typecnt, charcnt = header(0)
    v1 = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
    isut, isstd, leap, timecnt, typecnt, charcnt = header(v1)
    if leap:
        raise ValueError(f"{path}: leap-second data (a right/ zone) is not supported")
    p = v1 + 44
    times = list(struct.unpack(f">{timecnt}q", data[p:p + timecnt * 8]))
    p += timecnt * 8
    idx = list(data[p:p + timecnt])
    p += timecnt
    types = []
    for i in range(typecnt):
        utoff, isdst, abbr = struct.unpack(">lBB", data[p + i * 6:p + i * 6 + 6])
        types.append(utoff)
    p += typecnt * 6 + charcnt + isstd + isut
    rest = data[p:]
    if not rest.startswith(b"\n"):
        raise ValueError(f"{path}: no POSIX TZ footer")
    footer = rest[1:rest.index(b"\n", 1)].decode("ascii")
    # The offset before the first transition: the first type that is not DST (RFC 8536 3.2
    # says type 0 in version 2+ files).
    initial = types[0]
    return initial, [(t, types[i]) for t, i in zip(times, idx)], footer


# ---- POSIX TZ strings (RFC 8536 3.3, POSIX 8.3 with the extensions of TZif version 3) ----

def parse_offset(s, i, allow_extended):
    sign = 1
    if i < len(s) and s[i] in "+-":
        sign = -1 if s[i] == "-" else 1
        i += 1
    m = re.match(r"(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?", s[i:])
    if not m:
        raise ValueError(f"bad time in POSIX TZ {s!r}")
    h = int(m.group(1))
    if h > (167 if allow_extended else 24):
        raise ValueError(f"hour out of range in POSIX TZ {s!r}")
    secs = h * 3600 + int(m.group(2) or 0) * 60 + int(m.group(3) or 0)
    return sign * secs, i + m.end()


def parse_name(s, i):
    if i < len(s) and s[i] == "<":
        j = s.index(">", i)
        return s[i + 1:j], j + 1
    m = re.match(r"[A-Za-z]{3,}", s[i:])
    if not m:
        raise ValueError(f"bad zone abbreviation in POSIX TZ {s!r}")
    return m.group(0), i + m.end()


def parse_date(s, i):
    m = re.match(r"M(\d{1,2})\.(\d)\.(\d)", s[i:])
    if not m:
        # Jn and n forms appear in no tzdata zone; refuse rather than guess.
        raise ValueError(f"only Mm.w.d rules are supported, in POSIX TZ {s!r}")
    month, week, wday = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= wday <= 6):
        raise ValueError(f"bad date rule in POSIX TZ {s!r}")
    i += m.end()
    t = 7200
    if i < len(s) and s[i] == "/":
        t, i = parse_offset(s, i + 1, True)
    return (month, week, wday, t), i


def parse_posix(s):
    """-> (std_offset, dst_offset or None, start rule, end rule); offsets east of UTC."""
    i = 0
    _, i = parse_name(s, i)
    off, i = parse_offset(s, i, False)
    std = -off
    if i == len(s):
        return std, None, None, None
    _, i = parse_name(s, i)
    dst = std + 3600
    if i < len(s) and s[i] != ",":
        off, i = parse_offset(s, i, False)
        dst = -off
    if i >= len(s) or s[i] != ",":
        raise ValueError(f"a DST zone without rules in POSIX TZ {s!r}")
    start, i = parse_date(s, i + 1)
    if i >= len(s) or s[i] != ",":
        raise ValueError(f"no end rule in POSIX TZ {s!r}")
    end, i = parse_date(s, i + 1)
    if i != len(s):
        raise ValueError(f"trailing text in POSIX TZ {s!r}")
    return std, dst, start, end


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def rule_local_seconds(year, rule):
    """Seconds since the epoch, as if UTC, of the rule's wall-clock instant in `year`."""
    month, week, wday, t = rule
    first = days_from_civil(year, month, 1)
    first_wday = (first + 4) % 7
    day = first + (wday - first_wday) % 7 + (week - 1) * 7
    if week == 5:
        nxt = days_from_civil(year + (month == 12), month % 12 + 1, 1)
        while day >= nxt:
            day -= 7
    return day * 86400 + t


def rule_transitions(rule, year):
    """The rule's two transitions in `year` as [(utc, new_offset)], sorted."""
    std, dst, start, end = rule
    if dst is None:
        return []
    out = [(rule_local_seconds(year, start) - std, dst), (rule_local_seconds(year, end) - dst, std)]
    return sorted(out)


def civil_year(t):
    z = t // 86400 + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2)


def rule_offset(t, rule, before):
    std, dst, _, _ = rule
    if dst is None:
        return std
    y = civil_year(t)
    cur = None
    for yy in (y - 1, y, y + 1):
        for at, off in rule_transitions(rule, yy):
            if at <= t:
                cur = off
    return cur if cur is not None else before


def lookup(t, initial, trans, rule):
    if not trans or t < trans[0][0]:
        return initial
    lo, hi = 0, len(trans)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if trans[mid][0] <= t:
            lo = mid
        else:
            hi = mid
    if lo == len(trans) - 1:
        return rule_offset(t, rule, trans[-1][1])
    return trans[lo][1]


def full_lookup(t, initial, trans, rule):
    """The TZif file's own meaning: its transitions, then the footer after the last one."""
    return lookup(t, initial, trans, rule)


def trim(initial, trans, rule):
    """Drops the trailing transitions that the rule itself produces; checks the result."""
    produced = set()
    for y in range(civil_year(trans[0][0]) - 1, civil_year(trans[-1][0]) + 2):
        produced.update(rule_transitions(rule, y))
    k = len(trans)
    while k > 1 and trans[k - 1] in produced:
        k -= 1
    kept = trans[:k + 1] if k < len(trans) else trans
    if kept is not trans and not agree(initial, trans, kept, rule):
        kept = trans
    return kept


def agree(initial, full, trimmed, rule):
    points = {t for t, _ in full}
    lo_year = civil_year(trimmed[-1][0]) - 1
    hi_year = civil_year(full[-1][0]) + 2
    for y in range(lo_year, hi_year + 1):
        for t, _ in rule_transitions(rule, y):
            points.add(t)
    start = trimmed[-1][0]
    for p in points:
        if p < start:
            continue
        for q in (p - 1, p, p + 1):
            if full_lookup(q, initial, full, rule) != lookup(q, initial, trimmed, rule):
                return False
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-tzdata.py ZONEINFO_DIR OUTPUT.inc")
    zoneinfo, out_path = sys.argv[1], sys.argv[2]
    zi = os.path.join(zoneinfo, "tzdata.zi")
    version = None
    zones, links = [], []
    with open(zi, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# version ") and version is None:
                version = line.split()[2]
            elif line.startswith("Z "):
                zones.append(line.split()[1])
            elif line.startswith("L "):
                parts = line.split()
                links.append((parts[2], parts[1]))
    if not version or not zones:
        sys.exit(f"gen-tzdata: {zi} has no version line or no zones")
    records = []
    times, offsets = [], []
    index = {}
    for name in sorted(zones):
        initial, trans, footer = read_tzif(os.path.join(zoneinfo, name))
        rule = parse_posix(footer)
        # Keep the offset in force at FIRST, then the transitions after it.
        early = [tr for tr in trans if tr[0] <= FIRST]
        if early:
            initial = early[-1][1]
        trans = [tr for tr in trans if tr[0] > FIRST]
        # Consecutive transitions to the same offset (a change of abbreviation or of DST
        # flag only) do not change any decision: merge them.
        merged = []
        prev = initial
        for t, off in trans:
            if off != prev:
                merged.append((t, off))
                prev = off
        if rule[1] is None and merged and merged[-1][1] != rule[0]:
            raise ValueError(f"{name}: the footer {footer!r} disagrees with the last transition")
        if not merged and rule[1] is None and initial != rule[0]:
            raise ValueError(f"{name}: the footer {footer!r} disagrees with the zone's only offset")
        kept = trim(initial, merged, rule) if rule[1] is not None else merged
        if rule[1] is not None and not kept:
            raise ValueError(f"{name}: a DST rule with no transition")
        index[name] = len(records)
        records.append((name, len(times), len(kept), initial, rule))
        for t, off in kept:
            times.append(t)
            offsets.append(off)
    names = [(n, index[n]) for n in zones]
    for alias, target in links:
        if target not in index:
            sys.exit(f"gen-tzdata: link {alias} -> {target}: no such zone")
        names.append((alias, index[target]))
    names.sort()

    def rule_c(r):
        if r is None:
            return "{0, 0, 0, 0}"
        return "{%d, %d, %d, %d}" % r

    out = []
    out.append("// Generated by scripts/gen-tzdata.py from Debian's tzdata; do not edit or commit.")
    out.append(f'constexpr char kTzdataVersion[] = "{version}";')
    # Times as uint32 steps: a zone's first transition after FIRST, each next one after the
    # one before (zone.cc adds them up once, at first use).
    steps = []
    for name, first, count, initial, rule in records:
        prev = FIRST
        for t in times[first:first + count]:
            if not (0 < t - prev < 2**32):
                sys.exit(f"gen-tzdata: {name}: a step of {t - prev} s between transitions")
            steps.append(t - prev)
            prev = t
    distinct = sorted(set(offsets))
    if len(distinct) > 255:
        sys.exit("gen-tzdata: more than 255 distinct offsets")
    out.append(f"constexpr int64_t kFirstTransitionBase = {FIRST}LL;")
    out.append("constexpr uint32_t kTransitionSteps[] = {")
    for i in range(0, len(steps), 10):
        out.append("  " + ", ".join(f"{t}u" for t in steps[i:i + 10]) + ",")
    out.append("  0};")
    out.append("constexpr int32_t kOffsets[] = {" + ", ".join(str(o) for o in distinct) + "};")
    out.append("constexpr uint8_t kTransitionOffsets[] = {")
    for i in range(0, len(offsets), 24):
        out.append("  " + ", ".join(str(distinct.index(o)) for o in offsets[i:i + 24]) + ",")
    out.append("  0};")
    out.append("constexpr ZoneRecord kZones[] = {")
    for name, first, count, initial, (std, dst, start, end) in records:
        has_dst = dst is not None
        out.append("  {%d, %d, %d, %d, %d, %d, %s, %s}," % (
            first, count, initial, std, dst if has_dst else std, 1 if has_dst else 0,
            rule_c(start), rule_c(end)))
    out.append("};")
    out.append("constexpr ZoneName kZoneNames[] = {")
    for n, i in names:
        out.append(f'  {{"{n}", {i}}},')
    out.append("};")
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        sys.exit(f"gen-tzdata: {e}")
