"""From any audio to the telephone's own format, with pydub and ffmpeg.

Every prompt, rendered or recorded, goes through `telephone_ready`:

1. decode with ffmpeg straight to mono 8 kHz signed 16-bit PCM (ffmpeg's resampler filters
   what a telephone cannot carry; imageio-ffmpeg ships no ffprobe, so the input format is
   given explicitly or ffmpeg reads a file, never a probe); only the containers in
   FORMAT_WHITELIST are opened, and decoding stops at DECODE_CAP_SECONDS ("too long");
2. trim leading and trailing silence (anything 40 dB below the loudest moment) with pydub;
3. normalise the RMS loudness of what remains to TARGET_DBFS, but never let a peak pass
   PEAK_CEILING_DBFS (no clipping; a very peaky clip ends a little quieter than the target);
4. pad PAD_MS of digital silence on each side, so every prompt starts and ends alike;
5. encode 8-bit μ-law WAV (format tag 7): what Twilio plays without transcoding.

PROCESSING names these choices; it is part of every build key, so changing any of them
re-renders all TTS prompts on the next build.
"""

from __future__ import annotations

import functools
import math
import shutil
import struct
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydub warns about ffmpeg and audioop at import
    import audioop

    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

RATE = 8000
TARGET_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0
TRIM_BELOW_PEAK_DB = 40.0
PAD_MS = 100  # 0.2 s between two prompts: options follow each other without a long silence
SILENT_DBFS = -50.0  # a file whose loudest moment is quieter than this has nothing to say
MIN_SPEECH_MS = 200
MAX_SECONDS = 90.0
QUIET_DBFS, LOUD_DBFS = TARGET_DBFS - 5, TARGET_DBFS + 4
CLIPPED_RATIO = 0.001
PROCESSING = (
    f"v1 mono {RATE}Hz mulaw rms{TARGET_DBFS:g} peak{PEAK_CEILING_DBFS:g} "
    f"trim{TRIM_BELOW_PEAK_DB:g} pad{PAD_MS}"
)
WAVE_FORMAT_MULAW = 7
FULL_SCALE = 32768


class AudioRejected(ValueError):
    """The input is not usable audio; the message says why, in words staff understand."""


@functools.cache
def ffmpeg_exe() -> str:
    """A system ffmpeg when there is one, otherwise the binary imageio-ffmpeg ships.

    Looked up on first use, not at import: the web app must start even where no ffmpeg exists
    (it only serves files). pydub is pointed at the same binary.
    """
    found = shutil.which("ffmpeg")
    if not found:
        import imageio_ffmpeg

        found = imageio_ffmpeg.get_ffmpeg_exe()
    AudioSegment.converter = found
    return found


@dataclass(frozen=True)
class Measure:
    """What a finished file sounds like, in numbers."""

    duration: float  # seconds
    loudness: float  # RMS dBFS of the whole file without its pads
    peak: float  # dBFS
    clipped: float  # share of samples at full scale in the input, 0..1
    lead_ms: int  # silence before the first sound
    tail_ms: int  # silence after the last sound


# The only containers ffmpeg may open (its demuxer names): what phones, browsers and TTS
# engines produce. Not scripts or playlists such as sbg (SBaGen), concat or hls, where a few
# bytes describe hours of audio or name other files.
FORMAT_WHITELIST = "wav,mp3,mov,mp4,m4a,aac,ogg,matroska,webm,flac"
DECODE_CAP_SECONDS = MAX_SECONDS + 1  # ffmpeg stops here: reaching it means "too long"


def decode(data: bytes, fmt: str | None = None, rate: int = 0) -> AudioSegment:
    """Audio in one of the FORMAT_WHITELIST containers (or raw s16le from a TTS engine), as mono
    8 kHz 16-bit PCM. AudioRejected if it is not such audio, or if it lasts DECODE_CAP_SECONDS
    or more: ffmpeg decodes no further, so a tiny crafted file cannot cost hours of decoding."""
    command = [ffmpeg_exe(), "-nostdin", "-v", "error"]
    with tempfile.TemporaryDirectory() as folder:
        if fmt == "s16le":
            command += [
                "-format_whitelist",
                "s16le",
                "-f",
                "s16le",
                "-ar",
                str(rate),
                "-ac",
                "1",
                "-i",
                "pipe:0",
            ]
            stdin = data
        else:
            source = Path(folder, "input")
            source.write_bytes(data)  # a file, not a pipe: some containers need to seek
            command += ["-format_whitelist", FORMAT_WHITELIST, "-protocol_whitelist", "file"]
            command += (["-f", fmt] if fmt else []) + ["-i", str(source)]
            stdin = b""
        command += [
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-t",
            f"{DECODE_CAP_SECONDS:g}",
            "pipe:1",
        ]
        run = subprocess.run(command, input=stdin, capture_output=True, timeout=120, check=False)
    if run.returncode != 0 or len(run.stdout) < 2:
        reason = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no audio"]
        raise AudioRejected(f"this is not a readable audio file ({reason[0]})")
    pcm = run.stdout[: len(run.stdout) // 2 * 2]
    if len(pcm) // 2 >= int(DECODE_CAP_SECONDS * RATE) - RATE // 100:  # within 10 ms of the cap
        raise AudioRejected(
            f"the recording is too long (over {MAX_SECONDS:g} s): split or shorten it"
        )
    return AudioSegment(pcm, sample_width=2, frame_rate=RATE, channels=1)


def _clipped_share(segment: AudioSegment) -> float:
    """The share of samples at (or within 64 of) full scale."""
    if segment.max < FULL_SCALE - 64:  # the peak (C speed): nothing clips, nothing to count
        return 0.0
    samples = segment.get_array_of_samples()
    return sum(1 for s in samples if abs(s) >= FULL_SCALE - 64) / len(samples)


def trim(segment: AudioSegment) -> AudioSegment:
    """The segment without its leading and trailing silence."""
    threshold = max(segment.max_dBFS - TRIM_BELOW_PEAK_DB, -70.0)
    start = detect_leading_silence(segment, silence_threshold=threshold, chunk_size=5)
    end = detect_leading_silence(segment.reverse(), silence_threshold=threshold, chunk_size=5)
    return segment[start : max(start, len(segment) - end)]


def telephone_ready(segment: AudioSegment) -> tuple[bytes, Measure]:
    """Trim, normalise, pad and encode; AudioRejected for silence or no speech at all."""
    if segment.max_dBFS == -math.inf or segment.max_dBFS < SILENT_DBFS:
        raise AudioRejected(f"the recording is silent (nothing louder than {SILENT_DBFS:g} dBFS)")
    clipped = _clipped_share(segment)
    voice = trim(segment)
    if len(voice) < MIN_SPEECH_MS:
        raise AudioRejected(f"the recording has less than {MIN_SPEECH_MS} ms of sound")
    gain = min(TARGET_DBFS - voice.dBFS, PEAK_CEILING_DBFS - voice.max_dBFS)
    voice = voice.apply_gain(gain)
    pad = AudioSegment.silent(PAD_MS, frame_rate=RATE)
    audio = pad + voice + pad
    data = mulaw_wav(audio.raw_data)
    return data, measure(data, clipped)


def mulaw_wav(pcm16: bytes) -> bytes:
    """A WAV file of 8 kHz mono μ-law (format tag 7) from signed 16-bit PCM."""
    body = audioop.lin2ulaw(pcm16, 2)
    fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_MULAW, 1, RATE, RATE, 1, 8, 0)
    chunks = (
        b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"fact"
        + struct.pack("<II", 4, len(body))
        + b"data"
        + struct.pack("<I", len(body))
        + body
        + (b"\0" if len(body) % 2 else b"")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@dataclass(frozen=True)
class WavInfo:
    """The header of a WAV file and its sample bytes."""

    format_tag: int
    channels: int
    rate: int
    bits: int
    data: bytes


def read_wav(data: bytes) -> WavInfo:
    """Parse a RIFF/WAVE file (any codec); ValueError when it is not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    offset, fmt, body = 12, None, None
    while offset + 8 <= len(data):
        name, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        chunk = data[offset + 8 : offset + 8 + size]
        if name == b"fmt ":
            fmt = struct.unpack("<HHIIHH", chunk[:16])
        elif name == b"data":
            body = chunk
        offset += 8 + size + (size % 2)
    if fmt is None or body is None:
        raise ValueError("WAV file without fmt or data chunk")
    return WavInfo(fmt[0], fmt[1], fmt[2], fmt[5], body)


def pcm_of(data: bytes) -> AudioSegment:
    """The 16-bit PCM of one of our μ-law WAV files (no ffmpeg: cheap for checks)."""
    info = read_wav(data)
    if (info.format_tag, info.channels, info.bits) != (WAVE_FORMAT_MULAW, 1, 8):
        raise ValueError("not an 8-bit mono μ-law WAV")
    return AudioSegment(
        audioop.ulaw2lin(info.data, 2), sample_width=2, frame_rate=info.rate, channels=1
    )


def measure(data: bytes, clipped: float = 0.0) -> Measure:
    """Duration, loudness, peak and silent ends of a finished file."""
    audio = pcm_of(data)
    lead = detect_leading_silence(audio, silence_threshold=SILENT_DBFS, chunk_size=5)
    tail = detect_leading_silence(audio.reverse(), silence_threshold=SILENT_DBFS, chunk_size=5)
    inner = audio[lead : max(lead + 1, len(audio) - tail)]
    return Measure(
        duration=round(len(audio) / 1000, 3),
        loudness=round(inner.dBFS, 2),
        peak=round(audio.max_dBFS, 2),
        clipped=round(clipped, 5),
        lead_ms=lead,
        tail_ms=tail,
    )


# The problems a finished file can have, with how the command line says each.
PROBLEM_WORDS = {
    "quiet": "too quiet ({loudness:.1f} dBFS, target {target:g})",
    "loud": "too loud ({loudness:.1f} dBFS, target {target:g})",
    "clipped": "clipped ({clipped:.2%} of samples at full scale)",
    "long": "too long ({duration:.0f} s, limit {limit:g} s)",
    "no_file": "file missing from the store",  # said of a recording (ivr.audio.library)
}
Problem = tuple[str, dict[str, float]]  # a code of PROBLEM_WORDS and the values it is said with


def problem_codes(m: Measure) -> list[Problem]:
    """What is wrong with a finished file, as (code, values): quiet, loud, clipped, long (the
    staff pages say them in the person's language)."""
    found: list[Problem] = []
    if m.loudness < QUIET_DBFS:
        found.append(("quiet", {"loudness": m.loudness, "target": TARGET_DBFS}))
    if m.loudness > LOUD_DBFS:
        found.append(("loud", {"loudness": m.loudness, "target": TARGET_DBFS}))
    if m.clipped > CLIPPED_RATIO or m.peak > -0.1:
        found.append(("clipped", {"clipped": m.clipped}))
    if m.duration > MAX_SECONDS:
        found.append(("long", {"duration": m.duration, "limit": MAX_SECONDS}))
    return found


def problems(m: Measure) -> list[str]:
    """What is wrong with a finished file: too quiet, too loud, clipped, too long."""
    return said_in_english(problem_codes(m))


def said_in_english(found: list[Problem]) -> list[str]:
    """Problems as the command line says them (the staff pages say them in their language)."""
    return [PROBLEM_WORDS[code].format(**values) for code, values in found]
