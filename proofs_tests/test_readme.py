"""The README opens with the two commands, and .ci/run runs the README's test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "python -m pip install -e . && scaling-verify verify"
TESTS = "python -m pip install -e '.[test]' && python -m pytest"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert text.index("```") < 100, "the README must open with the commands"
    first_block = text.split("```")[1].split("\n", 1)[1]  # drop the language tag line
    lines = [ln.strip() for ln in first_block.strip().splitlines() if ln.strip()]
    assert lines == [MAIN, TESTS], lines


def test_ci_runs_the_readme_test_command():
    assert TESTS in (ROOT / ".ci" / "run").read_text()
