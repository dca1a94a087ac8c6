"""Re-record every cassette from a real embedded model server (`make record`).

Starts `briefing model serve` logic on the fixed loopback port the tests pin (127.0.0.1:8765), runs the
cassette tests with `--record-mode=rewrite`, then stops the server. Cassettes are never edited by hand.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from briefing.config import Settings
from briefing.model.local import LocalServer, ensure_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("pytest_args", nargs="*", default=["tests/integration"])
    args = parser.parse_args()
    settings = Settings.from_env()
    model = ensure_model(settings.cache_dir, settings.local_model_path)
    with LocalServer(
        model,
        port=args.port,
        log_dir=settings.cache_dir / "logs",
        on_status=lambda m: print(f"record: {m}", file=sys.stderr),
    ):
        command = [sys.executable, "-m", "pytest", "--record-mode=rewrite", "-p", "no:randomly", *args.pytest_args]
        print("record:", " ".join(command), file=sys.stderr)
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
