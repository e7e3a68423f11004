#!/usr/bin/env python3
"""Edit-to-served latency of `briefing serve`.

Starts the real dev server on a site, then repeatedly edits a note's body (or a
template), timing from the write until the served page shows the edit, polling over
HTTP. Prints the median, min and max in milliseconds.

    bench/serve_latency.py --binary target/release/briefing --site SITE [--edits 10] [--json F]

The site is edited in place (a note gets a line appended per edit, and a template
override is written under SITE/templates/); use a scratch copy.
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def wait_for(url, needle, timeout=60.0):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if needle in get(url):
            return time.perf_counter()
        time.sleep(0.001)
    raise SystemExit(f"timed out waiting for {needle!r} at {url}")


def pick_note(site):
    """A plain note (not a dispute, not a section) of the site, and its URL path."""
    content = os.path.join(site, "content")
    for root, _, files in sorted(os.walk(content)):
        for f in sorted(files):
            if not f.endswith(".md") or f == "_index.md":
                continue
            path = os.path.join(root, f)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            if "[dispute]" in text or 'kind = "itinerary"' in text or "kind=\"itinerary\"" in text:
                continue
            rel = os.path.relpath(path, content)[:-3].replace(os.sep, "/")
            return path, f"/{rel}/"
    raise SystemExit("no plain note found")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--template-edits", type=int, default=5)
    ap.add_argument("--json", help="also write every latency (ms) to this file")
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [args.binary, "serve", "--root", args.site, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = None
        for line in server.stdout:
            m = re.search(r" at (http://\S+/)", line)
            if m:
                base = m.group(1).rstrip("/")
                break
        if base is None:
            raise SystemExit("serve did not start")
        # Drain the server's output so it never blocks on a full pipe.
        import threading
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()

        note, url_path = pick_note(args.site)
        url = base + url_path
        wait_for(url, "<html")
        body = []
        for i in range(args.edits):
            marker = f"latency-marker-{time.time_ns()}-{i}"
            time.sleep(0.2)  # let the previous rebuild settle
            start = time.perf_counter()
            with open(note, "a", encoding="utf-8") as fh:
                fh.write(f"\n\nEdited: {marker}\n")
            body.append((wait_for(url, marker) - start) * 1000)

        tmpl = []
        templates = os.path.join(args.site, "templates")
        os.makedirs(templates, exist_ok=True)
        # A template that every note uses: the built-in note template, with a marker.
        note_template = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates", "note.html")
        with open(note_template, encoding="utf-8") as fh:
            original = fh.read()
        for i in range(args.template_edits):
            marker = f"template-marker-{time.time_ns()}-{i}"
            time.sleep(0.5)
            start = time.perf_counter()
            with open(os.path.join(templates, "note.html"), "w", encoding="utf-8") as fh:
                fh.write(original.replace("{% block main %}", "{% block main %}<!-- " + marker + " -->", 1))
            tmpl.append((wait_for(url, marker) - start) * 1000)

        def show(name, xs):
            if xs:
                print(f"{name}: median {statistics.median(xs):.1f} ms, min {min(xs):.1f}, max {max(xs):.1f} (n={len(xs)})")
        show("body edit", body)
        show("template edit (note.html)", tmpl)
        if args.json:
            import json
            with open(args.json, "w") as fh:
                json.dump({"body": body, "template": tmpl}, fh)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
