"""The Debian packages each README command needs, installed by that command's own set-up step.

`python3 -m tanggap.system_packages run|test` installs what is missing with apt-get when run as
root; otherwise it stops and prints the exact command to run. Standard library only: it runs
before the virtual environment exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# `make run`: WeasyPrint draws the PDF/A records with Pango and subsets fonts with HarfBuzz; the
# Noto fonts give emoji, right-to-left and CJK text their glyphs.
RUN = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0",
       "fonts-noto-core", "fonts-noto-cjk", "fonts-noto-color-emoji")
# `make test`: also a real WordPress (served by `php -S` against the local MariaDB), Chromium for
# the browser test, and pdftoppm to look at PDFs.
TEST = RUN + ("wordpress", "php-cli", "php-mysql", "poppler-utils", "chromium")
GROUPS = {"run": RUN, "test": TEST}


def missing(packages: tuple[str, ...]) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []  # not a Debian system: nothing we can check or install
    result = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages],
                            capture_output=True, text=True)
    installed = {line.split()[0] for line in result.stdout.splitlines() if line.endswith("install ok installed")}
    return [p for p in packages if p not in installed]


def main(group: str) -> int:
    needed = missing(GROUPS[group])
    if not needed:
        return 0
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *needed]
    if os.geteuid() != 0:
        print("Paket Debian yang dibutuhkan belum terpasang. Jalankan:\n"
              f"  sudo apt-get update && sudo {' '.join(command)}", file=sys.stderr)
        return 1
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(command, check=True, env=environment)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "run"))
