"""What the site shows from the recordings (`execdocs.recordings`): the output a command
really printed in place of the matcher's patterns, and each page's footer saying when
its blocks last ran.

Used by the Markdown extension on a page's own text (after the macros, before the
includes), where it finds the same fences, in the same order, as the runner did:

- a console command whose expected output holds a pattern (`...`, ` (re)`) shows the
  recorded output of its block, masked, when the block is the one recorded (same
  position, same hash); otherwise the page's own text, and a warning naming the block's
  `file:line` (a block without patterns never needs a recording);
- a `screenshot` block shows the pictures its last recorded run took, one per colour
  scheme (Material shows the one for the reader's scheme: `#only-light`, `#only-dark`),
  described by the block's text; unrecorded, the description alone, and a warning;
- the page ends with a line saying when and where its blocks ran and how many passed,
  or that the page changed since.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from execdocs.fences import Fence
from execdocs.matcher import align, is_wildcard_line
from execdocs.model import InvalidPage, Origin
from execdocs.options import SCREENSHOT, parse_info
from execdocs.recordings import PageRecording, Recordings, RecordingsError, block_hash, mask

LOG = logging.getLogger("execdocs")
# What a `...` line stood for is shown whole up to ELIDE_OVER lines; a longer run (a
# build's log) shows its first and last KEEP lines around one line saying how many
# are left out.
ELIDE_OVER, KEEP = 20, 5
FOOTER_CLASS = "execdocs-ran"
_PREFIX = re.compile(r"[ \t>]*")


@dataclass
class RecordedView:
    """The recordings for one page being rendered, and where to say what is missing."""

    page: str  # the page's key in the recordings
    recording: PageRecording | None
    warn: Callable[[str], None] = field(default=lambda message: LOG.warning(
        "WARNING -  execdocs: %s", message))
    # Lines of recorded output about the recording machine alone (a warning of its
    # Compose about its missing buildx, say), left out of what the site shows.
    omit: tuple[re.Pattern[str], ...] = ()
    # The recordings file's folder, relative to the page's: pictures are linked from it.
    pictures_at: str = "."
    # Set by `replacements`: whether every block of the page is the one recorded.
    fresh: bool = field(default=False, init=False)

    def replacements(self, lines: Sequence[str], origins: Sequence[Origin],
                     fences: Sequence[Fence]) -> dict[int, tuple[int, list[str]]]:
        """{first page line: (line after the last, lines shown instead)} for the outputs
        shown from the recordings; warns about each patterned block without one."""
        hashes: list[str | None] = []
        found: dict[int, tuple[int, list[str]]] = {}
        for index, fence in enumerate(fences):
            origin = origins[fence.open_line]
            try:
                lang, options = parse_info(fence.info, origin)
            except InvalidPage:  # the runner refuses it; the build reports it elsewhere
                hashes.append(None)
                continue
            body = "\n".join(fence.body)
            hashes.append(block_hash(lang, options, body))
            if self.recording and _includes(fence.body) and index < len(self.recording.blocks):
                # `--8<--` is expanded after this stage, and the runner hashed the expanded
                # text: the block counts as recorded here (the committed-recordings test,
                # which hashes what the runner runs, catches a changed included file).
                hashes[-1] = self.recording.blocks[index].get("hash")
            if lang == SCREENSHOT and not fence.hidden:
                recorded = self.recording.block(index, hashes[-1]) if self.recording else None
                found[fence.open_line] = (fence.close_line + 1, self._pictures(
                    lines, fence, recorded, origin))
                continue
            if fence.hidden or lang != "console" or not _patterned(fence.body):
                continue
            recorded = self.recording.block(index, hashes[-1]) if self.recording else None
            if recorded is None:
                why = ("changed since the page was recorded" if self.recording
                       else "the page was never recorded")
                self.warn(f"{origin}: no recorded output of this block ({why}); the site"
                          " shows its patterns: record the page again")
                continue
            found.update(_shown(lines, fence, recorded, lambda why, at=origin: self.warn(
                f"{at}: {why}; the site shows its patterns"), self.omit))
        self.fresh = self.recording is not None and self.recording.fresh(hashes)
        return found

    def _pictures(self, lines: Sequence[str], fence: Fence, recorded, origin: Origin) -> list[str]:
        """What the site shows for a screenshot block: its pictures, or its description."""
        prefix = _PREFIX.match(lines[fence.open_line]).group()
        description = " ".join(line.strip() for line in fence.body if line.strip())
        pictures = (recorded or {}).get("screenshot") or {}
        if not pictures:
            why = ("changed since the page was recorded" if self.recording
                   else "the page was never recorded")
            self.warn(f"{origin}: no screenshot of this block ({why}); the site shows its"
                      " description: record the page again")
            return [prefix.rstrip(), f"{prefix}*Screenshot not recorded yet: {description}*",
                    prefix.rstrip()]
        alt = re.sub(r"([\\\[\]])", r"\\\1", description)
        shown = [f"{prefix}![{alt}]({self.pictures_at}/{name}#only-{scheme})"
                 for scheme, name in sorted(pictures.items(), key=lambda item: item[0] != "light")]
        return [prefix.rstrip(), *shown, prefix.rstrip()]

    def footer(self) -> list[str]:
        """The page's last lines: when its blocks ran (none when it has nothing to run)."""
        if self.recording is None:
            return []
        text = footer_text(self.recording, self.fresh)
        if not text:
            return []
        return ["", f'<p class="{FOOTER_CLASS}"><small>{html.escape(text)}</small></p>', ""]


def footer_text(recording: PageRecording, fresh: bool) -> str:
    data = recording.data
    passed, runnable, reasons = recording.counts()
    if runnable == 0 and not data.get("skipped"):
        return ""
    when = f"{_day(data.get('ran', ''))}, {data.get('engine', '')} {data.get('platform', '')}"
    if not fresh:
        return (f"This page changed since its blocks last ran ({when}: {passed} of "
                f"{runnable} blocks passed); a changed block shows its text as written.")
    if data.get("skipped"):
        return f"The blocks on this page were not run ({when}): {data['skipped']}."
    if data.get("result") == "failed":
        return f"The blocks on this page last ran on {when}: {passed} of {runnable} passed."
    if passed == runnable:
        return f"Every block on this page ran on {when}: {passed} of {runnable} blocks."
    skipped = "; ".join(reason.split(": ", 1)[-1] for reason in reasons)
    return (f"{passed} of {runnable} blocks on this page ran on {when}"
            + (f"; skipped: {skipped}." if skipped else "."))


def _day(stamp: str) -> str:
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%d")
    except ValueError:
        return stamp or "an unknown date"


def _includes(body: Sequence[str]) -> bool:
    """Whether a block's text includes a file (pymdownx.snippets' `--8<--`)."""
    return any(line.strip().startswith("--8<--") for line in body)


def _patterned(body: Sequence[str]) -> bool:
    """Whether a console block's output lines hold a pattern (commands are not output)."""
    return any(is_wildcard_line(line.rstrip()) for line in body
               if not line.startswith(("$ ", "> ")))


def _shown(lines: Sequence[str], fence: Fence, recorded, warn: Callable[[str], None],
           omit: Sequence[re.Pattern[str]] = ()) -> dict[int, tuple[int, list[str]]]:
    """The page lines of each patterned command's expected output, and the recorded
    output to show there (masked, in the block's indentation)."""
    prefix = _PREFIX.match(lines[fence.open_line]).group()
    found = {}
    for command in recorded.get("commands", []):
        start, end = command.get("expected_at", (0, 0))
        output = command.get("output")
        if not command.get("pattern") or output is None or not 0 <= start < end <= len(fence.body):
            continue
        first, last = fence.body_line(start), fence.body_line(end - 1)
        if last - first != end - 1 - start:  # not one run of page lines: leave it
            continue
        kept = [line for line in output if not any(pattern.search(line) for pattern in omit)]
        shown = elided(fence.body[start:end], [mask(line) for line in kept])
        if any(_closes(fence, line) for line in shown):
            warn("the recorded output holds a line that would end the block")
            continue
        found[first] = (last + 1, [(prefix + line).rstrip() for line in shown])
    return found


def _closes(fence: Fence, line: str) -> bool:
    """Whether `line`, in the block, would close it (a run of the fence's character at
    least as long as its opening, and nothing else)."""
    stripped = line.strip()
    return (len(stripped) >= len(fence.marker) and set(stripped) == {fence.marker[0]})


def elided(expected: Sequence[str], output: Sequence[str]) -> list[str]:
    """`output` as shown: each run of more than ELIDE_OVER lines that one `...` line of
    `expected` stood for cut to its first and last KEEP lines and a note of the rest."""
    shown: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > ELIDE_OVER:
            left_out = len(run) - 2 * KEEP
            shown.extend([*run[:KEEP], f"[\u2026 {left_out} lines \u2026]", *run[-KEEP:]])
        else:
            shown.extend(run)
        run.clear()

    previous = None
    for step in align([line.rstrip() for line in expected], list(output)):
        if step.kind == "absorbed" and step.expected == previous:
            run.append(output[step.actual])
            continue
        flush()
        previous = step.expected if step.kind == "absorbed" else None
        if step.kind == "absorbed":
            run.append(output[step.actual])
        elif step.actual is not None:
            shown.append(output[step.actual])
    flush()
    return shown


# --- loading, once per change of the file ------------------------------------------------

_loaded: dict[Path, tuple[float, Recordings | RecordingsError]] = {}


def load(path: Path) -> Recordings:
    """The recordings at `path`, read again only when the file changed (mkdocs serve)."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = -1.0
    cached = _loaded.get(path)
    if cached is None or cached[0] != stamp:
        try:
            cached = (stamp, Recordings.load(path))
        except RecordingsError as error:
            cached = (stamp, error)
        _loaded[path] = cached
    if isinstance(cached[1], RecordingsError):
        raise cached[1]
    return cached[1]
