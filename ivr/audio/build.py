"""The build: render every prompt whose audio is missing or out of date, skip the rest.

A rendered prompt is keyed by (text, language, engine, voice, processing settings, and the text
as the engine got it after the pronunciation step, with its rate): when the key of the recording
that plays now still matches, nothing is done, so a rebuild with nothing changed only reads the
database and looks at the store. Human recordings are never replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..catalog import Prompt
from .engines import Engine, EngineError, EngineUnreachable
from .library import HUMAN, TTS, Recordings, Rendered, build_key
from .processing import AudioRejected, decode, telephone_ready
from .pronounce import SpeechBook

RERENDER_COMMAND = "ivr audio build --engine gtts --force-tts"
COLUMNS = ("rendered", "unchanged", "human", "failed", "no_tts")


@dataclass
class BuildReport:
    """What a build did, per language, and the errors worth showing."""

    counts: dict[str, Counter] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)  # engine -> reason

    def count(self, lang: str, what: str) -> None:
        self.counts.setdefault(lang, Counter())[what] += 1

    @property
    def failed(self) -> int:
        return sum(c["failed"] for c in self.counts.values())

    @property
    def rendered(self) -> int:
        return sum(c["rendered"] for c in self.counts.values())


class Builder:
    """Runs one build with a list of engines in order of preference."""

    def __init__(
        self,
        recordings: Recordings,
        engines: list[Engine],
        *,
        force: bool = False,
        by: str = "build",
        on_unreachable: Callable[[str, str], None] | None = None,
    ):
        self.recordings = recordings
        self.engines = engines
        self.force = force
        self.by = by
        self.on_unreachable = on_unreachable or (lambda engine, reason: None)
        self.report = BuildReport()
        self.speech = SpeechBook(recordings.catalog.root)

    def prompts(
        self, langs: Iterable[str] | None = None, prompt_ids: set[str] | None = None
    ) -> list[Prompt]:
        """The prompts a build covers: every prompt of the languages, or only the named ones."""
        catalog = self.recordings.catalog
        chosen = list(langs or catalog.languages)
        unknown = [code for code in chosen if code not in catalog.languages]
        if unknown:
            raise ValueError(f"unknown languages {unknown}")
        return [
            p
            for lang in chosen
            for p in catalog.all_prompts(lang)
            if prompt_ids is None or p.id in prompt_ids
        ]

    def run(
        self, prompts: list[Prompt], progress: Callable[[Prompt], None] | None = None
    ) -> BuildReport:
        """Render what is missing or out of date, then save the manifest file."""
        current = self.recordings.current()
        changed = False
        for prompt in prompts:
            changed |= self.one(prompt, current.get((prompt.id, prompt.lang)))
            if progress:
                progress(prompt)
        if changed or not self.recordings.store.read_manifest():
            self.recordings.publish()
        return self.report

    def one(self, prompt: Prompt, recording) -> bool:
        """Build one prompt; True when a new recording now plays."""
        if recording is not None and recording.source == HUMAN:
            self.report.count(prompt.lang, "human")
            return False
        if not self.speakers(prompt.lang):
            self.report.count(prompt.lang, "no_tts")
            return False
        text = self.recordings.catalog.text(prompt)
        if not self.force and self._up_to_date(recording, text, prompt.lang):
            self.report.count(prompt.lang, "unchanged")
            return False
        try:
            rendered = self.render(text, prompt.lang)
        except AudioRejected as exc:
            self.report.count(prompt.lang, "failed")
            self.report.errors.append(f"{prompt.lang} {prompt.id}: {exc}")
            return False
        if (
            recording is not None
            and recording.build_key == rendered.key
            and self.recordings.store.has(recording.hash)
        ):
            self.report.count(prompt.lang, "unchanged")
            return False
        self.recordings.add(
            prompt,
            rendered.data,
            rendered.measure,
            source=TTS,
            action="build",
            by=self.by,
            engine=rendered.engine,
            voice=rendered.voice,
            key=rendered.key,
        )
        self.report.count(prompt.lang, "rendered")
        return True

    def speakers(self, lang: str) -> list[tuple[Engine, str]]:
        """The engines that can speak this language, with their voice, in order of preference."""
        language = self.recordings.catalog.languages[lang]
        found = [(e, e.voice_for(language)) for e in self.engines]
        return [(e, v) for e, v in found if v]

    def render(self, text: str, lang: str) -> Rendered:
        """Speak a text with the first engine that can, processed for the telephone.

        AudioRejected with every engine's reason when none could (or none speaks `lang`).
        """
        errors = []
        speakers = self.speakers(lang)
        if not speakers:
            raise AudioRejected(f"no TTS engine in use speaks {lang}")
        for engine, voice in speakers:
            if engine.name in self.report.unreachable:
                continue
            prepared = self.speech.prepare(text, lang, engine.name)
            try:
                speech = engine.speak(prepared.text, voice, **_options(prepared))
                finished, measure = telephone_ready(decode(speech.data, speech.format, speech.rate))
            except EngineUnreachable as exc:
                self.report.unreachable[engine.name] = str(exc)
                self.on_unreachable(engine.name, str(exc))
                continue
            except (EngineError, AudioRejected) as exc:
                errors.append(f"{engine.name}: {exc}")
                continue
            return Rendered(
                finished,
                measure,
                engine.name,
                voice,
                build_key(text, lang, engine.name, voice, prepared.key),
            )
        raise AudioRejected(
            "; ".join(errors) or "no engine that speaks this language could be reached"
        )

    def _up_to_date(self, recording, text: str, lang: str) -> bool:
        """The recording playing now was rendered from this text by an engine still in use."""
        if recording is None or recording.source != TTS:
            return False
        if recording.engine not in {e.name for e in self.engines}:
            return False
        spoken = self.speech.prepare(text, lang, recording.engine).key
        if recording.build_key != build_key(text, lang, recording.engine, recording.voice, spoken):
            return False
        return self.recordings.store.has(recording.hash)


def _options(prepared) -> dict:
    """The engine settings a prepared text asks for (none: the engine's defaults)."""
    return {"rate": prepared.rate} if prepared.rate else {}
