"""Jumpstarter's own exporter for an exporter config, served on a unix socket as `jmp shell
--exporter-config` serves it (ExporterConfigV1Alpha1.serve_unix), but in a process of its own so
the benchmark can read its CPU time. Prints "serving <socket>" once it accepts; stops when its
stdin closes."""

import sys
from pathlib import Path

from jumpstarter.config.exporter import ExporterConfigV1Alpha1

config = ExporterConfigV1Alpha1.load_path(Path(sys.argv[1]))
with config.serve_unix() as path:
    print(f"serving {path}", flush=True)
    sys.stdin.read()
