#!/usr/bin/env python3
"""Consistency check for the SIP test-message corpus in this folder.

For every sub-folder that holds an ``expectations.tsv`` (currently
``rfc4475/`` and ``rfc3261/``) this script checks that:

* the TSV has the header ``name section kind expected_status note``, a
  known ``kind`` (valid, invalid, lenient, frame) and an integer status;
* every row names an existing ``<name>.sip`` file and every ``.sip`` file
  has a row;
* the bytes of every ``.sip`` file still match ``SHA256SUMS`` (this catches
  editors or git settings that rewrite line endings);
* the header section (everything before the first CRLF CRLF) uses CRLF line
  endings only - no bare CR or LF;
* the Content-Length header agrees with the number of body bytes; where it
  does not (mismatch, negative, repeated, absent), or where the header
  section is never closed by an empty line, the TSV note must say so
  (it must contain ``Content-Length`` or ``empty line`` respectively),
  because several RFC 4475 messages are broken on purpose.

Run it with ``python3 tests/data/sip/check_corpus.py``; add ``-v`` to print
the Content-Length analysis of every file, ``--write-sums`` to regenerate
``SHA256SUMS`` after a deliberate change. It prints ``N passed, N failed``
and exits non-zero on any failure. Only the standard library is used.
"""

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SUMS = ROOT / "SHA256SUMS"
KINDS = {"valid", "invalid", "lenient", "frame"}
HEADER = ["name", "section", "kind", "expected_status", "note"]
CL_RE = re.compile(rb"^(content-length|l)[ \t]*:(.*)$", re.IGNORECASE | re.MULTILINE)


def corpus_dirs():
    return sorted(p.parent for p in ROOT.glob("*/expectations.tsv"))


def read_rows(tsv):
    lines = tsv.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split("\t") != HEADER:
        raise ValueError(f"{tsv}: bad header line")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) != len(HEADER):
            raise ValueError(f"{tsv}:{n}: expected {len(HEADER)} columns, got {len(cols)}")
        rows.append(dict(zip(HEADER, cols)))
    return rows


def analyse(data):
    """Return (problem, description) for the framing of one message."""
    sep = data.find(b"\r\n\r\n")
    head = data if sep < 0 else data[:sep + 2]
    body = b"" if sep < 0 else data[sep + 4:]
    if re.search(rb"\r(?!\n)|(?<!\r)\n", head):
        return "crlf", "bare CR or LF in the header section"
    if sep < 0:
        return "separator", "header section not closed by an empty line"
    unfolded = re.sub(rb"\r\n[ \t]+", b" ", head)
    values = [m.group(2).strip() for m in CL_RE.finditer(unfolded)]
    if not values:
        return "content-length", f"no Content-Length; body {len(body)} bytes"
    if len(values) > 1:
        shown = ", ".join(v.decode("latin-1") for v in values)
        return "content-length", f"{len(values)} Content-Length values ({shown}); body {len(body)} bytes"
    value = values[0].decode("latin-1")
    if not value.isdigit():
        return "content-length", f"Content-Length {value!r} is not a number; body {len(body)} bytes"
    if int(value) != len(body):
        return "content-length", f"Content-Length {value} but {len(body)} bytes follow the header section"
    return None, f"Content-Length {value} matches the body"


def load_sums():
    sums = {}
    if SUMS.exists():
        for line in SUMS.read_text(encoding="ascii").splitlines():
            digest, name = line.split(None, 1)
            sums[name.lstrip("*")] = digest
    return sums


def main(argv):
    verbose = "-v" in argv
    files = sorted(f for d in corpus_dirs() for f in d.glob("*.sip"))
    if "--write-sums" in argv:
        SUMS.write_text("".join(
            f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.relative_to(ROOT).as_posix()}\n"
            for f in files), encoding="ascii")
        print(f"wrote {SUMS.name} for {len(files)} files")
    sums = load_sums()
    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}")

    for d in corpus_dirs():
        rows = read_rows(d / "expectations.tsv")
        names = [r["name"] for r in rows]
        report(len(names) == len(set(names)), f"{d.name}: duplicate names in expectations.tsv")
        on_disk = {f.stem for f in d.glob("*.sip")}
        for extra in sorted(on_disk - set(names)):
            report(False, f"{d.name}/{extra}.sip has no row in expectations.tsv")
        for row in rows:
            rel = f"{d.name}/{row['name']}.sip"
            path = d / f"{row['name']}.sip"
            if not path.exists():
                report(False, f"{rel} is missing")
                continue
            data = path.read_bytes()
            report(row["kind"] in KINDS, f"{rel}: unknown kind {row['kind']!r}")
            report(re.fullmatch(r"\d{1,3}", row["expected_status"]) is not None,
                   f"{rel}: expected_status {row['expected_status']!r} is not a status code or 0")
            digest = hashlib.sha256(data).hexdigest()
            report(sums.get(rel) == digest, f"{rel}: bytes differ from SHA256SUMS")
            problem, text = analyse(data)
            note = row["note"].lower()
            if problem == "crlf":
                report(False, f"{rel}: {text}")
            elif problem == "separator":
                report("empty line" in note, f"{rel}: {text}, and the note does not say so")
            elif problem == "content-length":
                report("content-length" in note, f"{rel}: {text}, and the note does not say so")
            else:
                report(True, rel)
            if verbose:
                print(f"{rel:38s} {row['kind']:8s} {row['expected_status']:>3s}  {len(data):5d} bytes  {text}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
