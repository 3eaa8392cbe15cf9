"""Recordings of prompts: what plays now, its history, imports and restores.

`Recordings` joins the catalog (what must be said), the database (which file plays, and every
version ever made) and the store (the files). The build, the CLI and the staff pages all go
through it, so a human recording is never overwritten by a build and every change is logged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from ..catalog import SOURCE_LANGUAGE, Catalog, Prompt
from ..db import Database
from ..models import AudioChoice, AudioChoiceEvent, Recording, TextChoice, TextVersion, utcnow
from .processing import (
    PROCESSING,
    AudioRejected,
    Measure,
    Problem,
    decode,
    problem_codes,
    said_in_english,
    telephone_ready,
)
from .store import AudioStore

# Twilio fetches a <Play> file when it plays the TwiML, which can be a minute after it was
# sent, and other processes keep their manifest a few seconds: a version that just stopped
# playing may still be fetched for a while, so it can only be purged after this long.
PURGE_GRACE = timedelta(minutes=10)

HUMAN, TTS = "human", "tts"


def words_hash(text: str) -> str:
    """The full (64 hex) hash of the words a recording says (`Recording.text_hash`).
    (Not `catalog.script_fingerprint`, the short one that notices a changed English script.)"""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def build_key(text: str, lang: str, engine: str, voice: str, spoken: str = "") -> str:
    """What a rendered prompt depends on: same key, same audio; nothing to do.

    `spoken` is the text as the engine got it, with its rate (`Prepared.key`): a changed
    pronunciation rule changes the key, so the audio is rendered again.
    """
    parts = f"{text.strip()}\x1f{lang}\x1f{engine}\x1f{voice}\x1f{PROCESSING}"
    if spoken:
        parts += f"\x1f{spoken}"
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


class OtherWords(ValueError):
    """A text-to-speech version that says other words than the published text: it can only
    play by publishing its text (text and audio together), never on its own."""


@dataclass(frozen=True)
class Rendered:
    """A text spoken by an engine and made telephone-ready, with what it depends on."""

    data: bytes
    measure: Measure
    engine: str
    voice: str
    key: str


# Speaks (words, language) with TTS; raises AudioRejected when no engine could (the Builder's
# `render`). Only called when a recording must be made.
Render = Callable[[str, str], Rendered]


def words_of(text: str, prompt: Prompt) -> str:
    """What a prompt says when its segment's text is `text`: the key filled in."""
    return text.replace("{key}", prompt.key or "")


@dataclass(frozen=True)
class TextAudio:
    """What a segment's audio did after its text changed, for staff and the audit log."""

    done: tuple[str, ...] = ()  # per prompt: which version plays now or was made
    kept_human: bool = False  # a person's recording keeps playing though it says other words
    failed: str | None = None  # why TTS could not be rendered (some prompt has no new audio)


@dataclass(frozen=True)
class PromptState:
    """The audio of one prompt in one language, as staff see it."""

    prompt: Prompt
    state: str  # human | tts | missing | stale
    recording: Recording | None
    problem_codes: list[Problem] = field(default_factory=list)  # what is wrong with the file

    @property
    def problems(self) -> list[str]:
        """What is wrong with the file, in English (the command line)."""
        return said_in_english(self.problem_codes)


@dataclass
class Recordings:
    """The recordings of every prompt: catalog + database + store."""

    current_catalog: Callable[[], Catalog]  # the catalog with the published texts, as it is now
    db: Database
    store: AudioStore

    @property
    def catalog(self) -> Catalog:
        """The scripts as callers hear them now (a new object when staff publish a text)."""
        return self.current_catalog()

    def prompt(self, prompt_id: str, lang: str) -> Prompt:
        """The prompt with this id in this language; ValueError naming the choices if none."""
        if lang not in self.catalog.languages:
            raise ValueError(
                f"unknown language {lang!r}; known: {', '.join(sorted(self.catalog.languages))}"
            )
        prompts = {p.id: p for p in self.catalog.all_prompts(lang)}
        if prompt_id not in prompts:
            raise ValueError(
                f"{lang} has no prompt {prompt_id!r}; known: {', '.join(sorted(prompts))}"
            )
        return prompts[prompt_id]

    def current(self) -> dict[tuple[str, str], Recording]:
        """The recording that plays now, per (prompt id, language). DatabaseUnavailable if down."""
        with self.db.session() as session:
            rows = session.execute(
                select(AudioChoice.prompt_id, AudioChoice.lang, Recording).join(
                    Recording, Recording.id == AudioChoice.recording_id
                )
            ).all()
        return {(p, lang): rec for p, lang, rec in rows}

    def manifest(self) -> dict[tuple[str, str], str]:
        """The file hash that plays now, per (prompt id, language)."""
        with self.db.session() as session:
            rows = session.execute(
                select(AudioChoice.prompt_id, AudioChoice.lang, Recording.hash).join(
                    Recording, Recording.id == AudioChoice.recording_id
                )
            ).all()
        return {(p, lang): digest for p, lang, digest in rows}

    def publish(self) -> None:
        """Save the manifest file in the store: what calls play if the database goes away."""
        self.store.write_manifest(self.manifest())

    def add(  # noqa: PLR0913 -- all but the first three are keyword-only, named at each call
        self,
        prompt: Prompt,
        data: bytes,
        measure: Measure,
        *,
        source: str,
        action: str,
        by: str,
        engine: str = "",
        voice: str = "",
        key: str = "",
        original_name: str = "",
        text: str | None = None,
        draft: bool = False,
    ) -> Recording:
        """Store a finished file and record it; unless it is a draft, make it the one that plays.

        `text` is what it says, when that is not the prompt's current text (a draft text).
        """
        digest = self.store.put(data)
        said = self.catalog.text(prompt) if text is None else text
        recording = Recording(
            hash=digest,
            prompt_id=prompt.id,
            lang=prompt.lang,
            source=source,
            engine=engine,
            voice=voice,
            text_hash=words_hash(said),
            build_key=key,
            duration=measure.duration,
            loudness=measure.loudness,
            peak=measure.peak,
            clipped=measure.clipped,
            size=len(data),
            original_name=original_name[:255],
            created_at=utcnow(),
            created_by=by,
        )
        with self.db.session() as session:
            session.add(recording)
            session.flush()
            if not draft:
                self._choose(session, recording, action, by)
        return recording

    def _choose(self, session, recording: Recording, action: str, by: str) -> None:
        now = utcnow()
        choice = session.get(AudioChoice, (recording.prompt_id, recording.lang))
        if choice is None:
            choice = AudioChoice(prompt_id=recording.prompt_id, lang=recording.lang)
            session.add(choice)
        choice.recording_id, choice.chosen_at, choice.chosen_by = recording.id, now, by
        session.add(
            AudioChoiceEvent(
                prompt_id=recording.prompt_id,
                lang=recording.lang,
                recording_id=recording.id,
                action=action,
                chosen_at=now,
                chosen_by=by,
            )
        )

    def import_recording(
        self,
        prompt_id: str,
        lang: str,
        data: bytes,
        by: str,
        original_name: str = "",
        draft: bool = False,
    ) -> Recording:
        """A human recording for a prompt: processed like TTS, then it plays and builds keep it.

        With `draft`, it is stored and listed but plays only once published (staff uploads).
        Raises AudioRejected (corrupt, not audio, silent) or ValueError (unknown prompt);
        on any error nothing changes and the old recording stays live.
        """
        prompt = self.prompt(prompt_id, lang)
        if not data:
            raise AudioRejected("the file is empty")
        finished, measure = telephone_ready(decode(data))
        too_long = [found for found in problem_codes(measure) if found[0] == "long"]
        if too_long:
            said = said_in_english(too_long)[0]
            raise AudioRejected(f"the recording is {said}: split or shorten it")
        recording = self.add(
            prompt,
            finished,
            measure,
            source=HUMAN,
            action="import",
            by=by,
            original_name=original_name,
            draft=draft,
        )
        if not draft:
            self.publish()
        return recording

    def history(self, prompt_id: str, lang: str) -> list[Recording]:
        """Every version of a prompt's audio, newest first."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Recording)
                    .where(Recording.prompt_id == prompt_id, Recording.lang == lang)
                    .order_by(Recording.id.desc())
                )
            )

    def restore(
        self, recording_id: int, by: str, action: str = "restore", saying: str | None = None
    ) -> Recording:
        """Make an earlier version (or a draft: action "publish") play; its file must be there.

        Text-to-speech says exactly the words it was made from, so a TTS version plays only
        while those are the published words (OtherWords otherwise): new words reach callers
        only by publishing the text, with its audio, never as audio alone. `saying` is the
        text being published with it (play_text, play_file_text); otherwise the published
        words are read from the database.
        """
        with self.db.session() as session:
            recording = session.get(Recording, recording_id)
            if recording is None:
                raise ValueError(f"no recording {recording_id}")
            if recording.purged_at is not None:
                raise ValueError(f"recording {recording_id} was purged")
            if not self.store.has(recording.hash):
                raise ValueError(f"the file of recording {recording_id} is not in the store")
            words = (
                saying
                if saying is not None
                else self.published_words(recording.prompt_id, recording.lang)
            )
            if recording.source == TTS and recording.text_hash != words_hash(words):
                raise OtherWords(
                    f"recording {recording_id} says other words than the "
                    f"published text: publish its text instead"
                )
            self._choose(session, recording, action, by)
        self.publish()
        return recording

    def published_words(self, prompt_id: str, lang: str) -> str:
        """The words callers are meant to hear for a prompt, as the database says now (not
        this process's copy, which may be seconds old): the published staff text, else the
        file's, else the English (published or file), with the key filled in."""
        prompt = self.prompt(prompt_id, lang)
        for code in (lang, SOURCE_LANGUAGE):
            with self.db.session() as session:
                published = session.scalar(
                    select(TextVersion.text)
                    .join(TextChoice, TextChoice.version_id == TextVersion.id)
                    .where(TextChoice.segment == prompt.segment, TextChoice.lang == code)
                )
            raw = (
                published if published is not None else self.catalog.file_text(code, prompt.segment)
            )
            if raw is not None:
                return raw.replace("{key}", prompt.key or "")
        raise ValueError(f"no text for {prompt_id} in {lang} or {SOURCE_LANGUAGE}")

    def get(self, recording_id: int) -> Recording | None:
        """One recording by id."""
        with self.db.session() as session:
            return session.get(Recording, recording_id)

    def drafts(self) -> dict[tuple[str, str], list[Recording]]:
        """Drafts, newest first: recordings that have never played and are not purged, however
        old (a draft made before another recording was published is still waiting)."""
        with self.db.session() as session:
            played = select(AudioChoiceEvent.recording_id)
            rows = session.scalars(
                select(Recording)
                .where(Recording.purged_at.is_(None), Recording.id.not_in(played))
                .order_by(Recording.id.desc())
            ).all()
        found: dict[tuple[str, str], list[Recording]] = {}
        for r in rows:
            found.setdefault((r.prompt_id, r.lang), []).append(r)
        return found

    def purge(self, recording_id: int, by: str) -> bool:
        """Remove a version that does not play: mark it purged, delete its file when no other
        recording uses it. True when the file was deleted. ValueError if it plays now."""
        with self.db.session() as session:
            recording = session.get(Recording, recording_id)
            if recording is None or recording.purged_at is not None:
                raise ValueError(f"no recording {recording_id} to purge")
            choice = session.get(AudioChoice, (recording.prompt_id, recording.lang))
            if choice is not None and choice.recording_id == recording.id:
                raise ValueError("the version that plays now cannot be purged")
            stopped = self._stopped_playing(session, recording)
            if stopped is not None and utcnow() - stopped < PURGE_GRACE:
                minutes = int(PURGE_GRACE.total_seconds() // 60)
                raise ValueError(
                    f"this version played until a moment ago and calls in progress "
                    f"may still fetch it: purge it {minutes} minutes after it "
                    f"stopped playing"
                )
            recording.purged_at, recording.purged_by = utcnow(), by
            session.flush()
            shared = session.scalar(
                select(Recording.id)
                .where(Recording.hash == recording.hash, Recording.purged_at.is_(None))
                .limit(1)
            )
            digest = recording.hash
        if shared is None:
            return self.store.remove(digest)
        return False

    @staticmethod
    def _stopped_playing(session, recording: Recording):
        """When another version replaced this one, if it ever played (else None)."""
        played = session.scalar(
            select(AudioChoiceEvent.id)
            .where(AudioChoiceEvent.recording_id == recording.id)
            .order_by(AudioChoiceEvent.id.desc())
            .limit(1)
        )
        if played is None:
            return None
        return session.scalar(
            select(AudioChoiceEvent.chosen_at)
            .where(
                AudioChoiceEvent.prompt_id == recording.prompt_id,
                AudioChoiceEvent.lang == recording.lang,
                AudioChoiceEvent.id > played,
            )
            .order_by(AudioChoiceEvent.id)
            .limit(1)
        )

    def state(self, prompt: Prompt, recording: Recording | None) -> PromptState:
        """human / tts / missing / stale, with what is wrong with the file."""
        if recording is None:
            return PromptState(prompt, "missing", None)
        if not self.store.has(recording.hash):
            return PromptState(prompt, "missing", recording, [("no_file", {})])
        found = problem_codes(
            Measure(recording.duration, recording.loudness, recording.peak, recording.clipped, 0, 0)
        )
        if recording.text_hash != words_hash(self.catalog.text(prompt)):
            return PromptState(prompt, "stale", recording, found)
        return PromptState(prompt, recording.source, recording, found)

    def states(self, langs: list[str] | None = None) -> list[PromptState]:
        """The state of every prompt of every (or the given) language."""
        current = self.current()
        return [
            self.state(p, current.get((p.id, lang)))
            for lang in (langs or list(self.catalog.languages))
            for p in self.catalog.all_prompts(lang)
        ]

    # After a segment's text changes: which recording says it -------------------------------

    def segment_prompts(self, segment: str, lang: str) -> list[Prompt]:
        """Every prompt of a segment in a language (one per key it announces, or one)."""
        return [p for p in self.catalog.all_prompts(lang) if p.segment == segment]

    def saying(self, prompt: Prompt, words: str, *, played_before: bool = False) -> list[Recording]:
        """The prompt's recordings that say `words` and can play (not purged, file in the
        store), newest first; with `played_before`, only those that have played (no drafts)."""
        waiting = (
            {r.id for r in self.drafts().get((prompt.id, prompt.lang), [])}
            if played_before
            else set()
        )
        said = words_hash(words)
        return [
            r
            for r in self.history(prompt.id, prompt.lang)
            if r.text_hash == said
            and r.purged_at is None
            and r.id not in waiting
            and self.store.has(r.hash)
        ]

    def tts_saying(self, prompt: Prompt, words: str) -> Recording | None:
        """The newest TTS recording of these words that can play (a draft counts), or None."""
        return next((r for r in self.saying(prompt, words) if r.source == TTS), None)

    def _render(
        self, prompt: Prompt, words: str, render: Render, by: str, *, draft: bool
    ) -> Recording:
        """Speak `words` with TTS and store it for the prompt; AudioRejected if no engine could."""
        rendered = render(words, prompt.lang)
        return self.add(
            prompt,
            rendered.data,
            rendered.measure,
            source=TTS,
            action="build",
            by=by,
            engine=rendered.engine,
            voice=rendered.voice,
            key=rendered.key,
            text=words,
            draft=draft,
        )

    def draft_tts(self, segment: str, lang: str, text: str, render: Render, by: str) -> TextAudio:
        """A text version was saved: each prompt of its segment gets a TTS draft of its words
        to listen to (unless one exists already); nothing plays differently yet."""
        done: list[str] = []
        for prompt in self.segment_prompts(segment, lang):
            words = words_of(text, prompt)
            if self.tts_saying(prompt, words) is not None:
                continue
            try:
                made = self._render(prompt, words, render, by, draft=True)
            except AudioRejected as exc:
                return TextAudio(tuple(done), failed=str(exc))
            done.append(f"{prompt.id}: TTS draft {made.id}")
        return TextAudio(tuple(done))

    def play_text(self, segment: str, lang: str, text: str, by: str) -> TextAudio:
        """A text version was published: each prompt plays the TTS of its words (made by
        `draft_tts`). A person's recording that plays is never replaced by TTS behind the
        staff's back: it keeps playing, stale if it says other words (`kept_human`), until
        they upload another or publish the TTS themselves."""
        current = self.current()
        done: list[str] = []
        kept_human = False
        for prompt in self.segment_prompts(segment, lang):
            words = words_of(text, prompt)
            now = current.get((prompt.id, prompt.lang))
            if now is not None and now.source == HUMAN and self.store.has(now.hash):
                kept_human = kept_human or now.text_hash != words_hash(words)
                continue
            match = self.tts_saying(prompt, words)
            if match is not None:
                self.restore(match.id, by, action="publish", saying=words)  # text and audio
                done.append(f"{prompt.id}: TTS {match.id}")
        return TextAudio(tuple(done), kept_human=kept_human)

    def play_file_text(self, segment: str, lang: str, render: Render, by: str) -> TextAudio:
        """The segment went back to the text in prompts/: each prompt plays audio of those
        words again. The newest recording saying them that has played before plays again (a
        person's first; a draft is never published this way), else TTS is rendered and plays.
        A person's recording that plays now stays (as after publishing) when no other
        recording of a person says the words: then the TTS is only a draft (`kept_human`)."""
        current = self.current()
        done: list[str] = []
        kept_human, failed = False, None
        for prompt in self.segment_prompts(segment, lang):
            words = self.catalog.text(prompt)
            now = current.get((prompt.id, prompt.lang))
            if now is not None and now.text_hash == words_hash(words) and self.store.has(now.hash):
                continue
            playing_human = now is not None and now.source == HUMAN and self.store.has(now.hash)
            best = self._played_before(prompt, words, humans_only=playing_human)
            if best is not None:
                self.restore(best.id, by, saying=words)
                done.append(f"{prompt.id}: version {best.id} ({best.source})")
                continue
            try:
                made = self._render(prompt, words, render, by, draft=playing_human)
            except AudioRejected as exc:
                failed = str(exc)
                continue
            if playing_human:
                kept_human = True
                done.append(f"{prompt.id}: TTS draft {made.id}, the person's recording stays")
            else:
                self.publish()
                done.append(f"{prompt.id}: TTS {made.id}")
        return TextAudio(tuple(done), kept_human=kept_human, failed=failed)

    def _played_before(self, prompt: Prompt, words: str, *, humans_only: bool) -> Recording | None:
        """The newest recording of `words` that has played: a person's first, else TTS
        (unless `humans_only`)."""
        found = self.saying(prompt, words, played_before=True)
        best = next((r for r in found if r.source == HUMAN), None)
        if best is None and not humans_only:
            best = next((r for r in found if r.source == TTS), None)
        return best
