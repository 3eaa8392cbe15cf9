"""`ivr audio build | import | check | history | restore`: the audio from the command line."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import Busy, DatabaseUnavailable
from ..services import services
from .build import COLUMNS, RERENDER_COMMAND, Builder
from .engines import engines_from_setting
from .library import Recordings
from .processing import AudioRejected
from .pronounce import SpeechRulesError


def _recordings() -> Recordings:
    return services().recordings


@click.group("audio", cls=AppGroup)
def audio() -> None:
    """Recorded audio: build from the scripts, import human recordings, check."""


@audio.command("build")
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable).")
@click.option("--prompt", "prompt_ids", multiple=True, help="Only this prompt id (repeatable).")
@click.option(
    "--engine",
    "engine_names",
    multiple=True,
    help="Use these engines instead of TTS_ENGINES (repeatable, in order).",
)
@click.option(
    "--force-tts",
    is_flag=True,
    help="Render every TTS prompt again (human recordings are always kept).",
)
def build(langs, prompt_ids, engine_names, force_tts) -> None:
    """Render every prompt whose audio is missing or out of date."""
    try:
        engines = engines_from_setting(",".join(engine_names) or current_app.config["TTS_ENGINES"])
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    def unreachable(engine: str, reason: str) -> None:
        others = ", ".join(e.name for e in engines if e.name != engine) or "none"
        click.echo(
            f"\nNOTE: {engine} is unreachable ({reason}).\n"
            f"      Building with the next engine instead ({others}).\n"
            f"      When the network is back, re-render with gTTS:  {RERENDER_COMMAND}\n",
            err=True,
        )

    recordings = _recordings()
    builder = Builder(recordings, engines, force=force_tts, on_unreachable=unreachable)
    try:
        prompts = builder.prompts(langs or None, set(prompt_ids) or None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _check_writable(recordings.store.root)
    try:
        with (
            recordings.db.serialised("audio build", wait=0),
            click.progressbar(
                range(len(prompts)), label="building", file=sys.stderr, show_pos=True
            ) as bar,
        ):
            report = builder.run(prompts, progress=lambda p: bar.update(1))
    except Busy:
        raise click.ClickException(
            "another `ivr audio build` is running on this database; "
            "wait for it to finish, then run this one again"
        ) from None
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"database unavailable ({exc}); run `ivr init-db`?") from None
    except SpeechRulesError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot write the audio store {recordings.store.root}: {exc.strerror or exc}"
        ) from None
    _print_summary(report)
    if report.failed:
        _print_failures(report.errors)
        sys.exit(1)


def _print_failures(errors: list[str]) -> None:
    """One line per language and reason: a language whose only engine is offline fails every
    prompt for the same reason, and 41 identical lines hide the point."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        where, _, reason = error.partition(": ")
        lang, _, prompt_id = where.partition(" ")
        grouped.setdefault((lang, reason), []).append(prompt_id)
    for (lang, reason), ids in grouped.items():
        shown = ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")
        click.echo(f"failed: {lang}, {len(ids)} prompt(s) ({shown}): {reason}", err=True)


def _check_writable(root: Path) -> None:
    """Stop with a clear message (not a traceback) if the store cannot be written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root, prefix=".tmp-check-"):
            pass
    except OSError as exc:
        raise click.ClickException(
            f"cannot write the audio store {root} ({exc.strerror or exc}): is it read-only, "
            f"or owned by another user? Set AUDIO_DIR to a folder this user can write."
        ) from None


def _print_summary(report) -> None:
    click.echo(f"{'language':10}" + "".join(f"{c:>11}" for c in COLUMNS))
    for lang, counts in report.counts.items():
        click.echo(f"{lang:10}" + "".join(f"{counts[c]:>11}" for c in COLUMNS))


@audio.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--prompt", "prompt_id", required=True, help="Prompt id, e.g. greeting or menu_rights.1"
)
@click.option("--lang", required=True, help="Language code, e.g. nb")
@click.option("--by", default="cli", show_default=True, help="Who recorded or approved it.")
def import_(file: Path, prompt_id: str, lang: str, by: str) -> None:
    """Make a human recording play for a prompt; builds never replace it."""
    try:
        recording = _recordings().import_recording(
            prompt_id, lang, file.read_bytes(), by, original_name=file.name
        )
    except (AudioRejected, ValueError) as exc:
        raise click.ClickException(
            f"{file.name} refused: {exc}. The current audio stays."
        ) from None
    click.echo(
        f"{lang} {prompt_id}: now plays {recording.hash[:12]} "
        f"({recording.duration:.1f} s, {recording.loudness:.1f} dBFS)"
    )


@audio.command("check")
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable).")
def check(langs) -> None:
    """List prompts whose audio is missing, stale, too quiet or loud, clipped or too long."""
    recordings = _recordings()
    catalog = recordings.catalog
    bad = 0
    for state in recordings.states(list(langs) or None):
        found = list(state.problems)
        if state.state == "missing":
            language = catalog.languages[state.prompt.lang]
            if not language.has_tts and not language.has_say:
                found.insert(
                    0,
                    "missing: no TTS and no <Say> voice; the language stays out "
                    "of the menu until every prompt is recorded",
                )
            elif not language.has_tts:
                found.insert(0, "missing: no TTS for this language, needs a human recording")
            else:
                found.insert(0, "missing: run `ivr audio build`")
        elif state.state == "stale":
            human = state.recording is not None and state.recording.source == "human"
            who = "human recording" if human else "TTS"
            hint = "record it again" if who == "human recording" else "run `ivr audio build`"
            found.insert(0, f"stale: the text changed since this {who} was made; {hint}")
        for problem in found:
            click.echo(f"{state.prompt.lang:4} {state.prompt.id:24} {problem}")
        bad += bool(found)
    if bad:
        click.echo(f"{bad} prompt(s) need attention", err=True)
        sys.exit(1)
    click.echo("all prompts have good, current audio")


@audio.command("history")
@click.option("--prompt", "prompt_id", required=True)
@click.option("--lang", required=True)
def history(prompt_id: str, lang: str) -> None:
    """Every version of a prompt's audio, newest first (* = plays now)."""
    recordings = _recordings()
    playing = recordings.manifest().get((prompt_id, lang))
    for r in recordings.history(prompt_id, lang):
        mark = "*" if r.hash == playing else " "
        purged = f"  (purged by {r.purged_by})" if r.purged_at else ""
        click.echo(
            f"{mark} {r.id:6} {r.created_at:%Y-%m-%d %H:%M} {r.source:5} "
            f"{r.engine or r.original_name:16} {r.duration:6.1f} s  {r.created_by}{purged}"
        )


@audio.command("restore")
@click.argument("recording_id", type=int)
@click.option("--by", default="cli", show_default=True)
def restore(recording_id: int, by: str) -> None:
    """Make an earlier version (an id from `ivr audio history`) play again."""
    try:
        r = _recordings().restore(recording_id, by)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{r.lang} {r.prompt_id}: now plays recording {r.id} ({r.source})")
