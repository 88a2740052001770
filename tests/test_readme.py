#!/usr/bin/env python3
"""README.md's embedding examples are the files the tests compile and run.

    tests/test_readme.py SOURCE_DIR BUILD_DIR [--no-run]

Each of examples/embed.c, embed.py and embed.js must appear in README.md as one fenced
block whose text is exactly the file's. Unless --no-run (sanitized builds, whose library
an ordinary cc, python3 or node cannot load), the README's build-tree commands (the `sh`
block with `cc examples/embed.c`) are run as written, from a directory that looks like
the repository root (`examples` and `build` linked to the real ones), and must print a
translation. Ends with "N passed, N failed".
"""
import os
import re
import subprocess
import sys
import tempfile

source, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
run_commands = "--no-run" not in sys.argv[3:]
passed = failed = 0


def check(condition, message):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print("FAIL:", message, file=sys.stderr)


with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
    readme = f.read()
# ```lang\n...\n``` blocks, in order.
blocks = [(m.group(1), m.group(2)) for m in
          re.finditer(r"^```(\w*)\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)]

for name, lang in (("embed.c", "c"), ("embed.py", "python"), ("embed.js", "js")):
    with open(os.path.join(source, "examples", name), encoding="utf-8") as f:
        example = f.read()
    # The block that names the file on its first line.
    found = [text for block_lang, text in blocks
             if block_lang == lang and f"examples/{name}" in text.split("\n", 1)[0]]
    check(len(found) == 1, f"README.md has {len(found)} ```{lang} blocks for examples/{name}, want 1")
    if found:
        check(found[0] == example, f"README.md's block differs from examples/{name}")

commands = [line for lang, text in blocks if lang == "sh" and "cc examples/embed.c" in text
            for line in text.splitlines() if line.strip() and not line.startswith("#")]
check(len(commands) == 3, f"README.md's build-tree commands: {commands}")
if run_commands:
    with tempfile.TemporaryDirectory() as work:
        os.symlink(os.path.join(source, "examples"), os.path.join(work, "examples"))
        os.symlink(build, os.path.join(work, "build"))
        # examples/embed.js finds the addon from its own (real) path, so a build directory
        # outside the repository is named explicitly.
        env = dict(os.environ, PGREST_NODE_ADDON=os.path.join(build, "bindings", "node", "pgrest.node"),
                   PWD=work)
        for command in commands:
            done = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                  capture_output=True, text=True, timeout=120)
            check(done.returncode == 0 and "select" in done.stdout,
                  f"`{command}` exited {done.returncode}: {done.stderr[-500:]}{done.stdout[:300]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
