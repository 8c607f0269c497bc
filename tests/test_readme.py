"""The README tells the truth about what is in the repository: every example and every module is listed,
and its figures come from scripts/measure_readme.py, which runs."""
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _map():
    """The README's map of the package (the block under 'What is inside')."""
    return README.split("## What is inside", 1)[1].split("```", 2)[1]


def test_every_example_is_in_the_readme_table():
    for path in (ROOT / "examples").glob("*.py"):
        assert f"(examples/{path.name})" in README, f"{path.name} is missing from the README's examples table"


def test_every_module_of_the_package_is_in_the_readme_map():
    text = _map()
    for path in (ROOT / "deepgrad").rglob("*.py"):
        relative = path.relative_to(ROOT / "deepgrad")
        if path.name == "__init__.py":
            name = relative.parent.name + "/" if relative.parent != Path(".") else "__init__.py"
        else:
            name = path.stem
        assert name in text, f"deepgrad/{relative} is missing from the README's map of the package"


def test_measure_readme_measures_a_program(capsys):
    spec = importlib.util.spec_from_file_location("measure_readme", ROOT / "scripts" / "measure_readme.py")
    measure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(measure)
    assert measure.main(["--only", "linear_regression.py"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Measured on: ") and " cores, " in out
    row = re.search(r"\| examples/linear_regression.py \| (\S+ m?s) \| 0 \| test MSE ([0-9.]+)", out)
    assert row and float(row.group(2)) < 3400
