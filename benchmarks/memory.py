"""Peak memory of `highlights run` as the replay grows.

Replays of 10 minutes and 2 hours are built by media.long_replay (speech from
../shared/media and our sample, looped; the long one is mostly quiet room noise with speech
a tenth of the time, as a long stream with pauses, at 426x240 to keep building it quick).
Peak RSS is the child's maximum resident set (getrusage), so it includes the model.

    python benchmarks/memory.py              # 10 min and 120 min
    python benchmarks/memory.py --minutes 10
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from media import ROOT, SAMPLE_CATALOG, long_replay


def peak_rss_of_run(path: Path, extra: list[str]) -> tuple[float, float]:
    """(peak MiB, wall seconds) of one `highlights run` in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        script = ("import resource, subprocess, sys; "
                  "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        began = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "highlights", "run", str(path),
                                 "-o", out, "--catalog", str(SAMPLE_CATALOG), "--languages", "en", "--language", "en",
                                 *extra], check=True, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - began
    return int(result.stdout.strip()) / 1024, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, action="append")
    args = parser.parse_args()
    lengths = args.minutes or [10.0, 120.0]
    print("| replay | speech | peak RSS | wall |")
    print("|---|---|---|---|")
    for minutes in lengths:
        share = 1.0 if minutes <= 10 else 0.1
        path = long_replay(minutes, speech_share=share, size="1280x720" if minutes <= 10 else "426x240")
        peak, wall = peak_rss_of_run(path, [])
        print(f"| {minutes:g} min | {share:.0%} | {peak:.0f} MiB | {wall:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
