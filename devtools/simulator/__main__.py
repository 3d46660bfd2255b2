"""`python -m govbudget.simulator --port 8808`: serve the simulated portals until interrupted."""

from __future__ import annotations

import argparse
import contextlib
import threading

from govbudget.simulator.server import PortalSimulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m govbudget.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8808)
    args = parser.parse_args(argv)
    with PortalSimulator(port=args.port, host=args.host) as sim:
        print(f"portal simulator at {sim.base_url}")
        for site in sim.sites:
            browser = " (needs a browser)" if site.needs_browser else ""
            print(f"  {site.start_url}  {site.name} [{site.family}, {site.region_code}]{browser}")
        print(f"  {len(sim.expected_disclosures())} disclosures; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
