"""How long seeding takes and how much memory it needs: ``python benchmarks/seed_load.py --issues 100000``.

Builds one Cloud site (and with ``--dc`` one Data Center instance too) with
``--issues`` issues over ``--projects`` projects, the way ``jiragw sandbox``
does, and prints the load time and the process's peak RSS. ``--persist``
also times a save to a temporary SQLite file and a load back. The targets:
100,000 issues for one instance in under 20 s (at most a minute) and well
under 1 GB of RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from jiragw.sandbox.seeding import build_sandbox
from jiragw.sandbox.state import persist


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dc", action="store_true", help="also seed one Data Center instance")
    parser.add_argument("--persist", action="store_true", help="also time save and load of a state file")
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}; baseline peak RSS {peak_rss_mb():.0f} MB")
    started = time.perf_counter()
    sandbox = build_sandbox(
        sites=("acme",),
        dcs=("corp",) if args.dc else (),
        projects=args.projects,
        issues=args.issues,
        seed=args.seed,
    )
    seconds = time.perf_counter() - started
    instances = sandbox.all_instances()
    comments = sum(len(i.comments) for inst in instances for i in inst.issues.values())
    print(
        f"seeded {len(instances)} instance(s) x {args.issues:,} issues over {args.projects} projects "
        f"({comments:,} comments) in {seconds:.1f} s "
        f"({seconds / len(instances):.1f} s per instance); peak RSS {peak_rss_mb():.0f} MB"
    )
    if args.persist:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "state.db"
            started = time.perf_counter()
            persist.save(sandbox, path)
            saved = time.perf_counter() - started
            size = path.stat().st_size / 1e6
            del sandbox
            started = time.perf_counter()
            loaded = persist.load(path)
            assert loaded is not None
            print(
                f"saved in {saved:.1f} s ({size:.0f} MB), loaded in {time.perf_counter() - started:.1f} s; "
                f"peak RSS {peak_rss_mb():.0f} MB"
            )


if __name__ == "__main__":
    main()
