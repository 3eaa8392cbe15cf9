"""The built files, decoded for real: telephone format, loudness, silence pads, clipping."""

from __future__ import annotations

import io
import math
import subprocess
import wave

import pytest
from pydub.generators import Sine, Square
from pydub.silence import detect_leading_silence

from ivr.audio import processing
from ivr.audio.processing import (
    PAD_MS,
    TARGET_DBFS,
    AudioRejected,
    decode,
    problems,
    read_wav,
    telephone_ready,
)
from ivr.services import services

from .audio_fixtures import recordings
from .support import tone

pytestmark = pytest.mark.usefixtures("no_network")


def wav_bytes(segment) -> bytes:
    buffer = io.BytesIO()
    segment.export(buffer, format="wav")
    return buffer.getvalue()


def test_every_english_file_is_8khz_mono_mulaw_wav(built_app):
    current = recordings(built_app).current()
    assert len(current) == len(services(built_app).catalog.all_prompts("en"))
    for (prompt_id, _lang), rec in current.items():
        data = recordings(built_app).store.read(rec.hash)
        info = read_wav(data)
        assert (info.format_tag, info.channels, info.rate, info.bits) == (7, 1, 8000, 8), prompt_id
        assert rec.size == len(data) and rec.source == "tts" and rec.engine == "espeak"


def test_files_decode_with_ffmpeg_to_the_recorded_duration_loudness_and_pads(built_app):
    for (prompt_id, _), rec in recordings(built_app).current().items():
        audio = decode(recordings(built_app).store.read(rec.hash))  # ffmpeg reads the file
        assert audio.frame_rate == 8000 and audio.channels == 1
        assert abs(len(audio) / 1000 - rec.duration) < 0.02, prompt_id
        assert 0.8 < rec.duration < 90
        lead = detect_leading_silence(audio, silence_threshold=-50, chunk_size=5)
        tail = detect_leading_silence(audio.reverse(), silence_threshold=-50, chunk_size=5)
        assert PAD_MS - 10 <= lead <= PAD_MS + 40, (prompt_id, lead)
        assert PAD_MS - 10 <= tail <= PAD_MS + 40, (prompt_id, tail)
        speech = audio[lead : len(audio) - tail]
        assert TARGET_DBFS - 4 <= speech.dBFS <= TARGET_DBFS + 1, (prompt_id, speech.dBFS)
        assert audio.max_dBFS <= -0.9, prompt_id
        assert not problems(processing.measure(recordings(built_app).store.read(rec.hash)))


def test_our_mulaw_wav_and_ffmpegs_read_the_same_both_ways(tmp_path):
    """The hand-written writer and reader agree with ffmpeg's pcm_mulaw (docs/audio.md)."""
    pcm = decode(tone(2.0, 300, volume=-6)).raw_data
    ours = processing.mulaw_wav(pcm)
    assert decode(ours).raw_data == processing.pcm_of(ours).raw_data  # ffmpeg reads ours
    source = tmp_path / "pcm.raw"
    source.write_bytes(pcm)
    theirs = _ffmpeg_made(
        tmp_path,
        "-f",
        "s16le",
        "-ar",
        "8000",
        "-ac",
        "1",
        "-i",
        str(source),
        "-c:a",
        "pcm_mulaw",
        "-fflags",
        "+bitexact",
        name="theirs.wav",
    )
    assert theirs[:58] == ours[:58] and len(theirs) == len(ours)  # the same header
    assert processing.pcm_of(theirs).raw_data == decode(theirs).raw_data  # we read ffmpeg's


def test_quiet_input_with_long_silences_is_trimmed_and_brought_to_target():
    tone = Sine(440).to_audio_segment(duration=1500, volume=-40).set_frame_rate(22050)
    silence = tone - 200  # digital silence of the same format
    quiet = silence[:1200] + tone + silence[:2000]
    data, measure = telephone_ready(decode(wav_bytes(quiet)))
    assert abs(measure.duration - (1.5 + 2 * PAD_MS / 1000)) < 0.03
    assert abs(measure.loudness - TARGET_DBFS) < 0.5
    assert (measure.lead_ms, measure.tail_ms) == (PAD_MS, PAD_MS)
    with pytest.raises(wave.Error), wave.open(io.BytesIO(data)):
        pass  # the stdlib cannot even read μ-law: it is not PCM


def test_clipped_input_is_flagged_and_output_peaks_stay_below_full_scale():
    square = Square(300).to_audio_segment(duration=1000, volume=0).set_frame_rate(8000)
    _, measure = telephone_ready(decode(wav_bytes(square)))
    assert measure.peak <= -0.9
    assert any(p.startswith("clipped") for p in problems(measure))


@pytest.mark.parametrize("data", [b"", b"hello, I am not audio" * 50, bytes(range(256)) * 40])
def test_non_audio_is_rejected(data):
    with pytest.raises(AudioRejected):
        telephone_ready(decode(data))


def _ffmpeg_made(tmp_path, *args: str, name: str) -> bytes:
    out = tmp_path / name
    subprocess.run(
        [processing.ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args, str(out)],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def test_a_tiny_file_of_an_hour_of_audio_is_too_long_and_decoded_only_to_the_cap(
    tmp_path, monkeypatch
):
    hour = _ffmpeg_made(
        tmp_path,
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=8000:cl=mono",
        "-t",
        "3600",
        "-c:a",
        "flac",
        name="hour.flac",
    )
    assert len(hour) < 1_000_000
    decoded = []
    real_run = subprocess.run

    def run(*args, **kwargs):
        finished = real_run(*args, **kwargs)
        decoded.append(len(finished.stdout))
        return finished

    monkeypatch.setattr(processing.subprocess, "run", run)
    with pytest.raises(AudioRejected, match="too long"):
        decode(hour)
    cap = processing.DECODE_CAP_SECONDS * processing.RATE * 2  # bytes of 16-bit PCM
    assert decoded and max(decoded) <= cap, "ffmpeg decoded past the cap"


def test_a_recording_just_under_the_limit_still_decodes(tmp_path):
    data = _ffmpeg_made(tmp_path, "-f", "lavfi", "-i", "sine=f=300:r=8000:d=89", name="89.wav")
    assert abs(len(decode(data)) - 89_000) < 50


def test_a_sbagen_script_is_not_decoded():
    script = b"-SE\nalpha: 200+10/50\nNOW alpha\n+00:10:00 alpha\n"  # ten minutes of beats
    with pytest.raises(AudioRejected, match="not a readable"):
        decode(script)
    with pytest.raises(AudioRejected, match="not a readable"):
        decode(script, "sbg")


def test_silence_is_rejected():
    silence = Sine(440).to_audio_segment(duration=2000, volume=-120)
    with pytest.raises(AudioRejected, match="silent"):
        telephone_ready(decode(wav_bytes(silence)))


def test_processing_is_deterministic():
    tone = Sine(300).to_audio_segment(duration=800, volume=-12)
    first, _ = telephone_ready(decode(wav_bytes(tone)))
    second, _ = telephone_ready(decode(wav_bytes(tone)))
    assert first == second
    assert not math.isinf(processing.measure(first).loudness)
