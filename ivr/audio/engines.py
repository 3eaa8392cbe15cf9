"""Text-to-speech engines: gTTS (online) and eSpeak NG (offline, from pip, through ctypes).

An engine turns (text, language) into `Speech`: raw audio bytes and how to decode them.
`engines_from_setting("gtts,espeak")` gives them in the order TTS_ENGINES names them.
"""

from __future__ import annotations

import ctypes
import io
import threading
from dataclasses import dataclass
from typing import Protocol

from ..catalog import Language


class EngineError(RuntimeError):
    """The engine failed on this text; other prompts may still work."""


class EngineUnreachable(EngineError):
    """The engine's service cannot be reached at all (no network, timeout)."""


@dataclass(frozen=True)
class Speech:
    """Audio an engine produced: either raw signed 16-bit mono PCM, or a file (mp3, wav)."""

    data: bytes
    format: str  # "s16le" (raw PCM) or an ffmpeg container name such as "mp3"
    rate: int = 0  # sample rate of raw PCM


class Engine(Protocol):
    """What the build needs from an engine."""

    name: str

    def voice_for(self, language: Language) -> str | None:
        """The voice this engine would use for the language, or None if it cannot speak it."""

    def speak(self, text: str, voice: str, rate: int = 0) -> Speech:
        """Render the text (at `rate`, when the engine can set one); raise EngineError."""


class GTTSEngine:
    """Google Translate's TTS through gTTS: the design's engine, needs the network."""

    name = "gtts"

    def __init__(self, timeout: tuple[float, float] = (2, 4)):
        self.timeout = timeout

    def voice_for(self, language: Language) -> str | None:
        return language.gtts or None

    def speak(self, text: str, voice: str, rate: int = 0) -> Speech:
        """Render with Google's TTS, which has no speaking rate to set (`rate` is ignored)."""
        from gtts import gTTS
        from gtts.tts import gTTSError

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=voice, lang_check=False, timeout=self.timeout).write_to_fp(buffer)
        except gTTSError as exc:
            # gTTS wraps connection errors and timeouts: no response means no service.
            if getattr(exc, "rsp", None) is None:
                raise EngineUnreachable(f"gTTS unreachable: {exc}") from exc
            raise EngineError(f"gTTS refused the text: {exc}") from exc
        except OSError as exc:
            raise EngineUnreachable(f"gTTS unreachable: {exc}") from exc
        if not buffer.getvalue():
            raise EngineError("gTTS returned no audio")
        return Speech(buffer.getvalue(), "mp3")


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1  # espeak_SetParameter: words a minute
_DEFAULT_RATE = 175  # eSpeak NG's own default
_VOICE_ALIASES = {"zh": "cmn"}  # eSpeak's Mandarin voice reads pinyin as such only as `cmn`


class _ESpeakVoice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class ESpeakEngine:
    """eSpeak NG from the `espeakng-loader` wheel: offline, robotic but always there.

    The C library keeps global state and is not thread-safe: one lock serialises every call.
    """

    name = "espeak"
    _lock = threading.Lock()
    _lib = None
    _rate = 0

    def voice_for(self, language: Language) -> str | None:
        if not language.espeak:
            return None
        return _VOICE_ALIASES.get(language.espeak, language.espeak)

    @classmethod
    def _library(cls):
        if cls._lib is None:
            import espeakng_loader

            lib = ctypes.cdll.LoadLibrary(str(espeakng_loader.get_library_path()))
            data = str(espeakng_loader.get_data_path())
            folder = data.removesuffix("/espeak-ng-data").encode()
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, folder, 0)
            if rate <= 0:
                raise EngineError("eSpeak NG failed to start (espeak_Initialize)")
            lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
            lib.espeak_TextToPhonemes.argtypes = [
                ctypes.POINTER(ctypes.c_void_p),
                ctypes.c_int,
                ctypes.c_int,
            ]
            cls._rate, cls._lib = rate, lib
        return cls._lib

    def speak(self, text: str, voice: str, rate: int = 0) -> Speech:
        """Render the text with this voice, at `rate` words a minute (0: eSpeak's default)."""
        with self._lock:
            lib = self._library()
            chunks: list[bytes] = []

            def collect(wav, count, _events):
                if count > 0:
                    chunks.append(ctypes.string_at(wav, count * 2))
                return 0

            callback = _SYNTH_CALLBACK(collect)  # kept alive until the synthesis ends
            lib.espeak_SetSynthCallback(callback)
            self._use_voice(lib, voice)
            lib.espeak_SetParameter(_ESPEAK_RATE, rate or _DEFAULT_RATE, 0)
            data = text.encode("utf-8") + b"\0"
            status = lib.espeak_Synth(data, len(data), 0, 0, 0, _ESPEAK_CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            if status != 0 or not chunks:
                raise EngineError(f"eSpeak NG produced no audio (status {status})")
            return Speech(b"".join(chunks), "s16le", self._rate)

    def phonemes(self, text: str, voice: str, ipa: bool = False) -> list[str]:
        """What eSpeak NG would say, as its phoneme mnemonics (or IPA), one string per clause.

        A switch to another language's voice shows as "(en)" before the switched words.
        """
        with self._lock:
            lib = self._library()
            self._use_voice(lib, voice)
            buffer = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
            pointer = ctypes.c_void_p(ctypes.addressof(buffer))
            clauses = []
            while pointer.value:
                said = lib.espeak_TextToPhonemes(
                    ctypes.byref(pointer), _ESPEAK_CHARS_UTF8, 2 if ipa else 0
                )
                clauses.append((said or b"").decode("utf-8", "replace"))
            return clauses

    @staticmethod
    def _use_voice(lib, voice: str) -> None:
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            spec = _ESpeakVoice(languages=voice.encode())
            if lib.espeak_SetVoiceByProperties(ctypes.byref(spec)) != 0:
                raise EngineError(f"eSpeak NG has no voice {voice!r}")


ENGINES = {"gtts": GTTSEngine, "espeak": ESpeakEngine}


def engines_from_setting(value: str) -> list[Engine]:
    """The engines TTS_ENGINES names, in its order; an unknown name is a clear error."""
    names = [n.strip().lower() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise ValueError(f"TTS_ENGINES names unknown engines {unknown}; known: {sorted(ENGINES)}")
    return [ENGINES[n]() for n in names]
