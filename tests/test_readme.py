"""The README's examples run as written and show what their comments promise."""
import re
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```", README, re.S)


def run_example(source: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    *body, last = source.strip().splitlines()
    exec("\n".join(body), namespace)
    return eval(last.split("#")[0], namespace), namespace


def test_the_first_look_charges_ada_after_payment_comes_back(tmp_path, monkeypatch):
    history, shop = run_example(EXAMPLES[0], tmp_path, monkeypatch)
    reply = shop["shop"].client.replies[shop["charge"].message_id]
    assert reply.ok and shop["shop"].clock.now > 30
    assert [r.kind for r in history].count("delivered") >= 2


def test_the_saga_example_ends_compensated(tmp_path, monkeypatch):
    state, _ = run_example(EXAMPLES[1], tmp_path, monkeypatch)
    assert state == "compensated"
