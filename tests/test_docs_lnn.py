"""The examples of docs/lnn.md run as written and print what the page shows."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "lnn.md"


def _blocks(lang: str) -> list[str]:
    """The fenced blocks of language ``lang`` ("" for unlabelled), in order."""
    out, cur, cur_lang = [], None, ""
    for line in DOC.read_text().splitlines():
        if line.startswith("```"):
            if cur is None:
                cur, cur_lang = [], line[3:].strip()
            else:
                if cur_lang == lang:
                    out.append("\n".join(cur) + "\n")
                cur = None
        elif cur is not None:
            cur.append(line)
    return out


def test_lnn_examples_run_and_print_what_the_page_shows(capsys):
    examples = _blocks("python")
    assert len(examples) == 2
    env: dict = {}
    exec(compile(examples[0], str(DOC), "exec"), env)   # noqa: S102 - our own documentation
    printed = capsys.readouterr().out
    shown = next(b for b in _blocks("") if "OPEN   Predicate: Smokes" in b)
    for line in shown.splitlines():
        if line != "...":
            assert line in printed.splitlines(), line
    smokes = printed.split("OPEN   Predicate: Smokes\n")[1].split("\n\n")[0]
    assert smokes == shown.split("OPEN   Predicate: Smokes\n")[1].rstrip("\n")
    exec(compile(examples[1], str(DOC), "exec"), {})   # noqa: S102
    assert "w(B) = 0.0" in capsys.readouterr().out
