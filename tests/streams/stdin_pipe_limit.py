#!/usr/bin/env python3
"""A pipe on standard input is read in large reads and refused as soon as it passes the
input limit (issue 17 item 4, docs/limits.md): `head -c 2G /dev/zero | verdict read -`.

For `verdict read -` (read whole) and `verdict triage -` (streamed line by line, one line
without its end), zeros are written into the pipe until verdict closes it. Checked: the
exit code and the message, that verdict read no more than the limit (what was written is
at most the limit, one more byte, what the pipe still held and one write), and that verdict
widened the pipe to 1 MiB (F_SETPIPE_SZ), so that the limit is reached in 16 times fewer
reads and wake-ups than with the kernel's 64 KiB. No time is asserted.

usage: stdin_pipe_limit.py VERDICT SOURCE_DIR
"""
import fcntl
import subprocess
import sys

VERDICT, SRC = sys.argv[1], sys.argv[2]
LIMIT = 8 << 20
BLOCK = b"\0" * (64 << 10)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def max_pipe():
    with open("/proc/sys/fs/pipe-max-size") as f:
        return int(f.read())


def run(args, message):
    p = subprocess.Popen([VERDICT, "--max-input-bytes", str(LIMIT)] + args, cwd=SRC, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    written = 0
    try:
        while written <= 8 * LIMIT:  # bounded, whatever verdict does
            p.stdin.write(BLOCK)
            p.stdin.flush()
            written += len(BLOCK)
    except BrokenPipeError:
        pass
    size = fcntl.fcntl(p.stdin.fileno(), fcntl.F_GETPIPE_SZ)
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode()
    code = p.wait(timeout=60)
    name = " ".join(args)
    if code != 3:
        fail(f"{name}: exit {code}, expected 3: {err}")
    if message not in err:
        fail(f"{name}: expected {message!r} in: {err}")
    if size < min(1 << 20, max_pipe()):
        fail(f"{name}: the pipe holds {size} bytes: verdict did not widen it to 1 MiB")
    if not LIMIT < written <= LIMIT + 1 + size + len(BLOCK):
        fail(f"{name}: {written} bytes went into the pipe: verdict read past the limit of {LIMIT}")
    print(f"ok: {name}: exit 3 after {written} bytes written (limit {LIMIT}, pipe {size})")


run(["read", "-"], f"standard input is larger than the input limit of {LIMIT} bytes")
run(["triage", "-p", "policies/triage/default.json", "-"], f"a line of stdin is larger than the input limit of {LIMIT} bytes")
