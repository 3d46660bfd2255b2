"""`python -m govbudget.simulator.country --port 8809`: serve the simulated country until interrupted.

Point a client at it as its HTTP proxy (``http_proxy=http://127.0.0.1:8809``) and fetch the seed
page; every host of the country then answers under its own name.
"""

from __future__ import annotations

import argparse
import contextlib
import threading

from govbudget.simulator.country.server import CountrySimulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m govbudget.simulator.country", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8809)
    args = parser.parse_args(argv)
    with CountrySimulator(port=args.port, host=args.host) as sim:
        print(f"simulated country at {sim.proxy_url} (use it as the HTTP proxy)")
        print(f"  seed: {sim.country.seed}")
        print(f"  {len(sim.hosts)} hosts, {len(sim.expected_disclosures())} disclosures; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
