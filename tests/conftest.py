import sys
from pathlib import Path

# the reference model lives beside the tests
sys.path.insert(0, str(Path(__file__).parent))

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
