#!/usr/bin/env python3
"""The μ-law WAV writer and reader: this project's own (audioop + a RIFF header) against the
bundled ffmpeg (pcm_mulaw), measured in the same run. The figures behind docs/audio.md's choice.

    .venv/bin/python scripts/bench_mulaw.py [--seconds 8] [--runs 20]

Prints, for one prompt of that length: time to write and to read a file each way and the
ratio; the whole processing of a prompt (`telephone_ready`) for scale; whether both files have
the same header and size; and how close each encoder's samples stay to the input (SNR).
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr.audio import processing
from ivr.audio.processing import RATE, ffmpeg_exe, mulaw_wav, pcm_of, read_wav


def speech_like(seconds: float) -> bytes:
    """A test signal through the real decoder: a gliding tone with a slow swell, 16-bit PCM."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "in.wav")
        signal = (
            f"aevalsrc='0.4*sin(2*PI*(200+150*sin(t))*t)*(0.6+0.4*sin(3*t))':s=16000:d={seconds}"
        )
        subprocess.run(
            [ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "lavfi", "-i", signal, str(source)],
            check=True,
        )
        return processing.decode(source.read_bytes()).raw_data


def ffmpeg_write(pcm16: bytes) -> bytes:
    """8 kHz mono μ-law WAV from 16-bit PCM, by ffmpeg (to a file: the header gets its sizes)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "out.wav")
        subprocess.run(
            [
                ffmpeg_exe(),
                "-nostdin",
                "-v",
                "error",
                "-f",
                "s16le",
                "-ar",
                str(RATE),
                "-ac",
                "1",
                "-i",
                "pipe:0",
                "-c:a",
                "pcm_mulaw",
                "-fflags",
                "+bitexact",
                "-flags:a",
                "+bitexact",
                "-f",
                "wav",
                str(out),
            ],
            input=pcm16,
            check=True,
            capture_output=True,
        )
        return out.read_bytes()


def ffmpeg_read(data: bytes) -> bytes:
    """16-bit PCM of a μ-law WAV file, by ffmpeg."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "in.wav")
        source.write_bytes(data)
        return subprocess.run(
            [
                ffmpeg_exe(),
                "-nostdin",
                "-v",
                "error",
                "-i",
                str(source),
                "-f",
                "s16le",
                "-c:a",
                "pcm_s16le",
                "pipe:1",
            ],
            check=True,
            capture_output=True,
        ).stdout


def median_ms(action: Callable[[], object], runs: int) -> float:
    """The median time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def snr_db(original: bytes, decoded: bytes) -> float:
    """Signal-to-noise ratio of a decoded file against the PCM it was made from."""
    a = memoryview(original).cast("h")
    b = memoryview(decoded).cast("h")
    signal = sum(x * x for x in a)
    noise = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) or 1
    return 10 * math.log10(signal / noise)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    pcm = speech_like(args.seconds)
    ours, theirs = mulaw_wav(pcm), ffmpeg_write(pcm)
    write = (
        median_ms(lambda: mulaw_wav(pcm), args.runs),
        median_ms(lambda: ffmpeg_write(pcm), args.runs),
    )
    read = (
        median_ms(lambda: pcm_of(ours), args.runs),
        median_ms(lambda: ffmpeg_read(ours), args.runs),
    )
    segment = processing.decode(mulaw_wav(pcm))
    whole = median_ms(lambda: processing.telephone_ready(segment), max(3, args.runs // 4))
    print(
        f"one {args.seconds:g} s prompt, median of {args.runs} runs, "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}"
    )
    print(
        f"write μ-law WAV: own {write[0]:8.2f} ms   ffmpeg {write[1]:8.2f} ms   "
        f"ratio {write[1] / write[0]:6.0f}x"
    )
    print(
        f"read μ-law WAV:  own {read[0]:8.2f} ms   ffmpeg {read[1]:8.2f} ms   "
        f"ratio {read[1] / read[0]:6.0f}x"
    )
    print(f"telephone_ready (decode, trim, normalise, write, measure) with own: {whole:.1f} ms")
    same_header = ours[:58] == theirs[:58] and len(ours) == len(theirs)
    print(
        f"same header and size: {same_header}   "
        f"format {read_wav(theirs).format_tag} / {read_wav(ours).format_tag}"
    )
    differing = sum(x != y for x, y in zip(read_wav(ours).data, read_wav(theirs).data, strict=True))
    print(f"samples that differ: {differing} of {len(read_wav(ours).data)}")
    print(f"readers agree on our file: {ffmpeg_read(ours) == pcm_of(ours).raw_data}")
    print(
        f"SNR against the input: own {snr_db(pcm, pcm_of(ours).raw_data):.2f} dB, "
        f"ffmpeg {snr_db(pcm, pcm_of(theirs).raw_data):.2f} dB"
    )


if __name__ == "__main__":
    main()
