"""The scorecards shipped with callqa (YAML). `callqa run --scorecard FILE` takes a team's own."""
from pathlib import Path

FOLDER = Path(__file__).parent
DEFAULT = FOLDER / "default.yaml"
