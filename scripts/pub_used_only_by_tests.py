#!/usr/bin/env python3
"""Lists the `pub` items of each core crate that no other crate's product code needs.

Issue 15: "no `pub` item used only by tests". A `pub` item is needed when another crate's
non-test source (src/, examples/, benches/ of any crate under src-tauri/crates, or the shell in
src-tauri/src) names it, or when it appears in the signature of a needed item (a type returned by
a needed function, the field type of a needed struct). Everything else should be `pub(crate)` (or
private), and rustc's dead-code lint then shows what nothing uses at all.

The check reads source text, not the compiler's resolution: uses are found by name, so a common
name (`new`, `path`) counts as used wherever any crate says it. It errs towards "needed", never
towards "test-only". `use` lines and re-exports are not uses: a re-exported name counts only where
code names it. `#[cfg(test)]` items, `tests/` folders and tests/e2e are tests.

Usage: scripts/pub_used_only_by_tests.py [--list]   (exit 1 when any item is found)
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = ROOT / "src-tauri" / "crates"
SHELL = ROOT / "src-tauri" / "src"
# Crates whose library serves other crates' tests (the simulator is also the demo's binary):
# their items are needed when another crate's tests name them.
TEST_SUPPORT = {"csoc-test-support", "gen3-sim"}

ITEM = re.compile(
    r"^\s*pub\s+(?:async\s+)?(?:const\s+(?=fn))?(?:unsafe\s+)?(fn|struct|enum|trait|type|const|static|mod)\s+(\w+)",
    re.M,
)
DEFINITION = re.compile(r"\b(?:fn|struct|enum|trait|type|const|static|mod)\s+\w+")
PUB_USE = re.compile(r"^\s*pub\s+use\s+([^;]*);", re.M | re.S)
PATH_STEP = re.compile(r"\b([A-Za-z_]\w*)\s*::")
WORD = re.compile(r"\b[A-Za-z_]\w*\b")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(^|\s)//.*$", r"\1", text, flags=re.M)


def block_end(text, start):
    """Index just past the item starting at `start`: its matching `}` or its `;`."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = skip_string(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == ";" and depth == 0:
            return i + 1
        i += 1
    return len(text)


def skip_string(text, i):
    raw = re.match(r'r(#*)"', text[i - 1 : i + 3]) if i > 0 and text[i - 1] == "r" else None
    if raw:
        end = text.find('"' + raw.group(1), i + 1)
        return end + 1 + len(raw.group(1)) if end >= 0 else len(text)
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return i


def strip_test_items(text):
    """Removes every item under `#[cfg(test)]`."""
    out = []
    pos = 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        pos = block_end(text, m.end())
    out.append(text[pos:])
    return "".join(out)


def strip_uses(text):
    return re.sub(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s[^;]*;", "", text, flags=re.M | re.S)


def product_text(path):
    """Names code uses (not `use` lines, not definitions), then the path steps (`a::`) it goes
    through, `use` lines included: a module counts as used where a path goes through it."""
    text = strip_test_items(strip_comments(path.read_text()))
    steps = " ".join(PATH_STEP.findall(re.sub(r"\bpub\s+use\s[^;]*;", "", text, flags=re.S)))
    return DEFINITION.sub(" ", strip_uses(text)) + "\n" + steps


def reexported_names(statement):
    """`a::{b, c as d}` -> b, d (`self` names the module)."""
    statement = re.sub(r"\s+", " ", statement)
    names = []
    for part in re.split(r"[{},]", statement):
        part = part.strip()
        if not part or part.endswith("::"):
            continue
        alias = re.search(r"\bas (\w+)$", part)
        last = alias.group(1) if alias else part.split("::")[-1].strip()
        if last == "self":
            last = part.split("::")[-2].strip() if "::" in part else ""
        if re.fullmatch(r"\w+", last or "") and last != "*":
            names.append(last)
    return names


def module_files(src, root="lib.rs"):
    """The files of a crate, each with whether its `pub` items are reachable from outside (every
    module on the way from lib.rs is `pub`; a private module's items count only re-exported)."""
    lib = src / root
    if not lib.exists():
        return []
    found = []

    def walk(file, folder, public):
        found.append((file, public))
        text = strip_test_items(strip_comments(file.read_text()))
        for m in re.finditer(r"^\s*(pub\s+)?mod\s+(\w+)\s*;", text, re.M):
            name = m.group(2)
            for candidate in (folder / f"{name}.rs", folder / name / "mod.rs"):
                if candidate.exists():
                    walk(candidate, folder / name, public and bool(m.group(1)))
                    break

    walk(lib, src, True)
    return found


def binary_files(crate):
    """The crate's binaries, examples and benches: crates of their own that use its library."""
    files = [crate / "src" / "main.rs"] + sorted((crate / "src" / "bin").rglob("*.rs"))
    files += [f for sub in ("examples", "benches") if (crate / sub).exists() for f in sorted((crate / sub).rglob("*.rs"))]
    return [f for f in files if f.exists()]


def interface(text, start, kind):
    """The part of an item another crate sees: a function's signature, a type's whole body."""
    end = block_end(text, start)
    body = text[start:end]
    if kind == "fn":
        brace = body.find("{")
        body = body[:brace] if brace >= 0 else body
    if kind == "mod":
        return ""
    return body


def main():
    crates = sorted(p for p in CRATES.iterdir() if (p / "Cargo.toml").exists())
    sources = {}
    for crate in crates:
        # Only the files the crate's targets compile without `cfg(test)`: a test module kept in a
        # file of its own under src/ is a test.
        files = [f for f, _ in module_files(crate / "src")] + binary_files(crate)
        sources[crate.name] = "\n".join(product_text(f) for f in files)
    shell = "\n".join(product_text(f) for f in sorted(SHELL.rglob("*.rs")))

    findings = []
    for crate in crates:
        others = "\n".join(t for name, t in sources.items() if name != crate.name) + "\n" + shell
        # The crate's own binaries, examples and benches are separate crates too.
        extra_files = binary_files(crate)
        if crate.name in TEST_SUPPORT:
            extra_files += [f for c in crates if c != crate for f in (c / "tests").rglob("*.rs")]
            extra_files += list((ROOT / "tests" / "e2e").rglob("*.rs"))
        own_extra = "\n".join(product_text(f) for f in extra_files if f.exists())
        used = set(WORD.findall(others + "\n" + own_extra))
        items = []
        files = module_files(crate / "src")
        exported = {file for file, public in files if public}
        for file, _ in files:
            text = strip_test_items(strip_comments(file.read_text()))
            for m in ITEM.finditer(text):
                kind, name = m.group(1), m.group(2)
                line = text[: m.start()].count("\n") + 1
                items.append((kind, name, file, line, interface(text, m.start(), kind)))
            for m in PUB_USE.finditer(text):
                line = text[: m.start()].count("\n") + 1
                items += [("use", name, file, line, "") for name in reexported_names(m.group(1))]
        names = {name for kind, name, _, _, _ in items if kind != "use"}
        needed = {name for _, name, _, _, _ in items if name in used}
        # A type named in a needed item's signature must stay as visible as that item.
        changed = True
        while changed:
            changed = False
            for kind, name, _, _, face in items:
                if name in needed:
                    for word in set(WORD.findall(face)) & names - needed:
                        needed.add(word)
                        changed = True
        # A module is needed when something in it is.
        needed_files = {file for kind, name, file, _, _ in items if name in needed and kind != "mod"}
        for kind, name, file, line, _ in items:
            if kind == "mod":
                base = file.parent if file.name in ("lib.rs", "mod.rs") else file.with_suffix("")
                folder = base / name
                if any(f == folder.with_suffix(".rs") or folder in f.parents for f in needed_files):
                    needed.add(name)
        for kind, name, file, line, _ in items:
            if name not in needed and file in exported:
                findings.append((crate.name, kind, name, file.relative_to(ROOT), line))

    counts = {}
    for crate, *_ in findings:
        counts[crate] = counts.get(crate, 0) + 1
    if "--list" in sys.argv or findings:
        for crate, kind, name, path, line in findings:
            print(f"{path}:{line}: pub {kind} {name}")
    print(f"{len(findings)} pub items that no other crate's product code needs", file=sys.stderr)
    for crate, n in sorted(counts.items()):
        print(f"  {crate}: {n}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
