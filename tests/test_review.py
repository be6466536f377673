"""The coach's review page: escaped text, masked personal data, and the page driven in headless Chromium."""
import base64
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.reports.review import render_review

from .conftest import ROOT, SAMPLES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "out" / "screenshots"
PII = ROOT / "data" / "pii"


def a_document(**changes) -> dict:
    """A small scored call built in code: one cue, acknowledged, and no recording."""
    turns = [{"id": 0, "speaker": "agent", "start": 0.5, "end": 2.0, "text": "How can I help?", "words": []},
             {"id": 1, "speaker": "customer", "start": 2.5, "end": 5.0, "text": "I am so frustrated", "words": []},
             {"id": 2, "speaker": "agent", "start": 5.4, "end": 7.0, "text": "I am sorry, that is frustrating", "words": []}]
    events = [{"id": "c1", "type": "cue", "turn": 1, "start": 2.5, "end": 5.0, "kind": "frustration", "text": "so frustrated"},
              {"id": "a1", "type": "acknowledgement", "turn": 2, "start": 5.4, "end": 7.0, "cue": "c1", "latency_s": 0.4}]
    return {"call_id": "x1", "status": "scored", "audio": {"path": "/nowhere/x1.wav", "duration": 8.0},
            "agent": {"id": "A1", "name": "Dana"}, "customer": {"name": ""}, "recorded_at": "2026-11-20T10:00:00",
            "queue": "billing", "turns": turns, "events": events, "checks": {"cues_missed": []}, **changes}


def test_transcript_text_is_escaped_and_handed_to_the_script_as_json():
    document = a_document()
    document["turns"][1]["text"] = "<script>alert(1)</script> and </script><b>bold</b>"
    document["events"][0]["text"] = "</script><script>alert(2)</script>"
    page = render_review(document)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "alert(2)</script>" not in page  # tojson escapes "<" inside the script
    assert page.count("<script>") == 1
    assert 'id="no-audio"' in page  # the recording is gone: the page says so


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser, path: Path):
    """The page from disk, with what it logged as errors, the requests it made and any dialog it opened."""
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    seen = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda message: seen["errors"].append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.resolve().as_uri())
    return page, seen


LATE_AND_MISSED = "l11_clinic_surgery"  # data/labelled: cues acknowledged at once, one late, one missed


@pytest.fixture(scope="module")
def late_and_missed(tmp_path_factory, models):
    """A call of data/labelled's through the pipeline, for the page and its screenshot."""
    from pipeline.batch import run_batch
    from pipeline.manifest import discover_calls

    batch, out = tmp_path_factory.mktemp("call"), tmp_path_factory.mktemp("call-out")
    rows = (ROOT / "data" / "labelled" / "manifest.csv").read_text().splitlines()
    row = next(r for r in rows if r.startswith(LATE_AND_MISSED + ","))
    (batch / row.split(",")[1]).symlink_to(ROOT / "data" / "labelled" / row.split(",")[1])
    (batch / "manifest.csv").write_text(rows[0] + "\n" + row + "\n")
    run_batch(discover_calls(batch), out, models=models)
    return json.loads((out / "calls" / f"{LATE_AND_MISSED}.json").read_text())


def test_the_page_shows_every_cue_and_plays_from_a_clicked_one(browser, late_and_missed, tmp_path):
    document = late_and_missed
    path = tmp_path / "review.html"
    path.write_text(render_review(document))
    page, seen = open_page(browser, path)
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    cues = [e for e in document["events"] if e["type"] == "cue"]
    acks = [e for e in document["events"] if e["type"] == "acknowledgement"]
    missed = set(document["checks"]["cues_missed"])
    late = {a["cue"] for a in acks if a["latency_s"] > 5.0}
    for cue in cues:
        assert page.locator(f"#cue-{cue['id']}").count() == 1
        status = page.locator(f"#story-{cue['id']}").inner_text()
        assert ("MISSED" in status) == (cue["id"] in missed), status
        assert ("LATE" in status) == (cue["id"] in late), status
    assert page.locator("path.ack-arrow").count() == len(acks)
    target = cues[-1]
    page.locator(f"#cue-{target['id']}").click()
    assert abs(page.evaluate("document.getElementById('audio').currentTime") - target["start"]) <= 0.1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"review_{LATE_AND_MISSED}.png"), full_page=True)
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert all(url == path.resolve().as_uri() or url.startswith("data:") for url in seen["requests"]), seen["requests"]


def test_each_cue_says_acknowledged_late_or_missed():
    document = a_document()
    cue2 = {**document["events"][0], "id": "c2", "turn": 2, "start": 5.4, "end": 7.0, "kind": "anxiety", "text": "worried"}
    late = {**document["events"][1], "latency_s": 9.0}  # c1's acknowledgement, later than the 5 s that counts as late
    page = render_review({**document, "events": [document["events"][0], late, cue2], "checks": {"cues_missed": ["c2"]}})
    row = lambda cue: page[page.index(f'id="story-{cue}"'):page.index("</tr>", page.index(f'id="story-{cue}"'))]  # noqa: E731
    assert "LATE" in row("c1") and "9.0 s" in row("c1") and "MISSED" not in row("c1")
    assert "MISSED" in row("c2") and 'class="window"' in page  # the window in which c2 should have been acknowledged


def test_one_latency_label_per_answering_turn_with_each_latency_once():
    document = a_document()
    turns = document["turns"] + [{"id": 3, "speaker": "customer", "start": 7.5, "end": 9.0, "text": "and worried", "words": []},
                                 {"id": 4, "speaker": "agent", "start": 9.5, "end": 11.0, "text": "I hear you", "words": []}]
    c2 = {**document["events"][0], "id": "c2", "turn": 3, "start": 7.5, "end": 9.0, "kind": "anxiety", "text": "worried"}
    c3 = {**c2, "id": "c3", "kind": "situational"}  # a second cue of the same turn: the same latency
    answers = [{"id": f"a{n}", "type": "acknowledgement", "turn": 4, "start": 9.5, "end": 11.0, "cue": cue, "latency_s": latency}
               for n, (cue, latency) in enumerate([("c1", 4.5), ("c2", 0.5), ("c3", 0.5)], start=1)]
    page = render_review({**document, "turns": turns, "events": [document["events"][0], c2, c3, *answers]})
    assert page.count('class="latency ') == 1
    assert '>0.5 s / 4.5 s</text>' in page
    assert page.count('class="ack-arrow') == 3  # every cue still has its arrow


def test_script_in_a_turn_runs_nothing_in_the_browser(browser, tmp_path):
    document = a_document()
    document["turns"][1]["text"] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    path = tmp_path / "x.html"
    path.write_text(render_review(document))
    page, seen = open_page(browser, path)
    assert "<script>alert(1)</script>" in page.locator("#turn-1").inner_text()
    assert seen["dialogs"] == [] and seen["errors"] == []


def decoded_audio(page: str) -> np.ndarray:
    """The page's recording, decoded (48 kHz mono float)."""
    import av

    start = page.index("data:audio/ogg;base64,") + len("data:audio/ogg;base64,")
    data = base64.b64decode(page[start:page.index('"', start)])
    with av.open(io.BytesIO(data)) as container:
        return np.concatenate([frame.to_ndarray().reshape(-1).astype(np.float32) / (32768 if frame.format.name == "s16" else 1)
                               for frame in container.decode(audio=0)])


def without_audio(page: str) -> str:
    """The page's HTML less the recording's data URI: base64 can spell anything ("hale" among it)."""
    import re

    stripped = re.sub(r"data:audio/ogg;base64,[A-Za-z0-9+/=]*", "data:audio/ogg;base64,", page)
    assert stripped.count("data:audio/ogg;base64,") == page.count("data:audio/ogg;base64,")
    return stripped


def test_without_audio_keeps_all_but_the_recording():
    page = 'x <audio id="audio" src="data:audio/ogg;base64,aGFsZQ+/=="></audio> owen.hale@example.com'
    assert without_audio(page) == 'x <audio id="audio" src="data:audio/ogg;base64,"></audio> owen.hale@example.com'


def shown_text(browser, tmp_path: Path, page: str) -> str:
    """What a coach reads on the page: the text of its DOM in Chromium, titles of the timeline included."""
    path = tmp_path / "shown.html"
    path.write_text(page)
    opened, seen = open_page(browser, path)
    text = opened.evaluate("document.body.innerText + ' ' + [...document.querySelectorAll('title')].map(t => t.textContent).join(' ')")
    assert seen["errors"] == []
    return text


@pytest.fixture(scope="module")
def pii_call(tmp_path_factory, models):
    """data/pii's call, in which the customer reads out a card number and an e-mail address."""
    from pipeline.batch import run_batch
    from pipeline.manifest import discover_calls

    out = tmp_path_factory.mktemp("pii")
    summary = run_batch(discover_calls(PII), out, models=models, store=out / "store.duckdb")
    assert summary.scored == 1, summary.failures
    return out, json.loads((out / "calls" / "p01_card_and_email.json").read_text())


def test_card_number_and_email_are_masked_on_the_page_and_silent_in_its_audio(pii_call, browser, tmp_path):
    _, document = pii_call
    page = render_review(document)
    for text in (without_audio(page).lower(), shown_text(browser, tmp_path, page).lower()):
        assert "[card number]" in text or "[account number]" in text
        assert "[e-mail address]" in text
        for secret in ("hale", "owen", "example .com", "example.com", "-1 -1 -1"):
            assert secret not in text, secret
    audio = decoded_audio(page)
    rate = 48000
    from pipeline.reports.redact import redact_document

    spans = [r for r in redact_document(document)["redactions"] if r["kind"] in ("card number", "account number", "e-mail address")
             and r["end"] - r["start"] > 0.5]
    assert spans
    for span in spans:
        inside = audio[int(span["start"] * rate):int(span["end"] * rate)]
        assert np.sqrt(np.mean(inside ** 2)) < 1e-3, span
    assert np.sqrt(np.mean(audio ** 2)) > 0.01  # the rest is heard
    shown = without_audio(render_review(document, show_pii=True)).lower()
    assert "hale" in shown and "[e-mail address]" not in shown


def test_the_transcript_export_masks_them_too(pii_call):
    from typer.testing import CliRunner

    from pipeline.cli import app

    out, _ = pii_call
    runner = CliRunner()
    masked = runner.invoke(app, ["export", "--by", "turn", "--store", str(out / "store.duckdb")])
    assert masked.exit_code == 0, masked.output
    assert "[e-mail address]" in masked.stdout and "hale" not in masked.stdout.lower() and "-1 -1" not in masked.stdout
    shown = runner.invoke(app, ["export", "--by", "turn", "--show-pii", "--store", str(out / "store.duckdb")])
    assert "hale" in shown.stdout.lower()


def test_a_ten_minute_call_page_is_small_and_quick(browser, sample_results, tmp_path):
    """s01 repeated to ten minutes: audio, turns and events alike."""
    import soundfile

    one = json.loads((sample_results / "calls" / "s01_energy_billing.json").read_text())
    samples, rate = soundfile.read(SAMPLES / "s01_energy_billing.stereo.flac")
    copies = int(np.ceil(600 / one["audio"]["duration"]))
    soundfile.write(tmp_path / "long.flac", np.tile(samples, (copies, 1))[: 600 * rate], rate)
    length = len(samples) / rate
    turns, events = [], []
    for k in range(copies):
        shift = k * length
        turns += [{**t, "id": len(turns) + i, "start": t["start"] + shift, "end": t["end"] + shift} for i, t in enumerate(one["turns"])]
        events += [{**e, "id": f"{e['id']}-{k}", "start": e["start"] + shift, "end": e["end"] + shift} for e in one["events"]]
    long = {**one, "turns": [t for t in turns if t["end"] <= 600], "events": [e for e in events if e["end"] <= 600],
            "audio": {**one["audio"], "path": str(tmp_path / "long.flac"), "duration": 600.0}}
    path = tmp_path / "long.html"
    path.write_text(render_review(long))
    assert path.stat().st_size < 3_000_000
    page, seen = open_page(browser, path)
    loaded_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert loaded_ms < 2000 and seen["errors"] == []


def test_run_redact_masks_the_json_and_scores_what_was_said(tmp_path, models, pii_call):
    from pipeline.batch import run_batch
    from pipeline.manifest import discover_calls

    _, plain = pii_call
    run_batch(discover_calls(PII), tmp_path, models=models, redact=True)
    text = (tmp_path / "calls" / "p01_card_and_email.json").read_text().lower()
    assert "hale" not in text and "[e-mail address]" in text and '"redactions"' in text
    redacted = json.loads(text)
    assert redacted["score"]["total"] == plain["score"]["total"]  # scored on the words, then masked
    assert "hale" not in without_audio(render_review(redacted, show_pii=True)).lower()  # masked at the source stays masked


def test_review_batch_writes_a_page_per_call_and_an_index(sample_results, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["review", "--batch", str(sample_results), "--out", str(tmp_path / "review")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "review" / "index.html").read_text()
    for call in ("s01_energy_billing", "s02_telecom_outage", "s03_bank_lost_card", "s04_retail_gift"):
        assert f'href="{call}.html"' in index and (tmp_path / "review" / f"{call}.html").is_file()


def test_review_text_tells_the_story_in_the_terminal(sample_results):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["review", str(sample_results / "calls" / "s02_telecom_outage.json"), "--text"])
    assert result.exit_code == 0, result.output
    assert result.output.count("MISSED") == len(json.loads((sample_results / "calls" / "s02_telecom_outage.json").read_text())
                                                ["checks"]["cues_missed"])
    assert "Scorecard default" in result.output and "Priya" not in result.output  # the customer's name is masked


def test_review_late_ack_sets_when_an_acknowledgement_counts_as_late(sample_results):
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = sample_results / "calls" / "s03_bank_lost_card.json"
    acknowledged = [a for a in json.loads(path.read_text())["events"] if a["type"] == "acknowledgement"]
    assert acknowledged and all(a["latency_s"] < 5.0 for a in acknowledged)
    default = CliRunner().invoke(app, ["review", str(path), "--text"])
    strict = CliRunner().invoke(app, ["review", str(path), "--text", "--late-ack", "0"])
    assert default.exit_code == strict.exit_code == 0, (default.output, strict.output)
    assert "LATE" not in default.output
    assert strict.output.count("LATE") == len({a["cue"] for a in acknowledged if a["latency_s"] > 0})
    assert CliRunner().invoke(app, ["review", str(path), "--late-ack", "-1"]).exit_code == 2


def missed_cues(*starts: float) -> list[dict]:
    """Cues of the customer's turn 1, none of them acknowledged."""
    return [{"id": f"c{n}", "type": "cue", "turn": 1, "start": start, "end": start + 1.0, "kind": "frustration", "text": "so frustrated"}
            for n, start in enumerate(starts, start=1)]


def windows(page: str) -> list[tuple[float, float]]:
    import re

    return [(float(x), float(w)) for x, w in re.findall(r'<rect class="window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', page)]


def test_the_windows_of_close_missed_cues_are_shaded_once_not_stacked():
    from pipeline.reports.review import _x

    events = missed_cues(10.0, 14.0, 20.0, 90.0)  # three close together, one on its own; the call lasts 100 s
    page = render_review(a_document(events=events, audio={"path": "/nowhere/x1.wav", "duration": 100.0},
                                    checks={"cues_missed": ["c1", "c2", "c3", "c4"]}))
    assert windows(page) == [(_x(11.0, 100.0), round(_x(21.0 + 45, 100.0) - _x(11.0, 100.0), 1)),  # 11 s to 66 s, once
                             (_x(91.0, 100.0), round(_x(100.0, 100.0) - _x(91.0, 100.0), 1))]  # cut at the call's end


def test_cues_at_one_time_print_missed_once():
    events = missed_cues(10.0, 10.0, 30.0)
    page = render_review(a_document(events=events, audio={"path": "/nowhere/x1.wav", "duration": 60.0},
                                    checks={"cues_missed": ["c1", "c2", "c3"]}))
    assert page.count(">missed</text>") == 2
    assert all(f'id="cue-c{n}"' in page for n in (1, 2, 3))  # every cue keeps its dot


def test_the_page_of_a_failed_call_says_it_failed_and_why():
    failed = {"call_id": "x9", "status": "failed", "error": "cannot decode /calls/x9.wav: not an audio file",
              "audio": {"path": "/calls/x9.wav"}, "agent": {"id": "A1", "name": "Dana"}, "customer": {"name": ""},
              "recorded_at": "2026-11-20T10:00:00", "queue": "billing"}
    page = render_review(failed)
    assert 'id="failed"' in page and "cannot decode /calls/x9.wav: not an audio file" in page
    assert "No emotional cues" not in page and 'id="timeline"' not in page


def test_a_page_with_personal_data_shown_is_private_to_its_owner(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    source = tmp_path / "x1.json"
    source.write_text(json.dumps(a_document(customer={"name": "Tim Baker"})))
    runner = CliRunner()
    shown = runner.invoke(app, ["review", str(source), "--show-pii", "--out", str(tmp_path / "shown.html")])
    masked = runner.invoke(app, ["review", str(source), "--out", str(tmp_path / "masked.html")])
    assert shown.exit_code == masked.exit_code == 0, (shown.output, masked.output)
    assert (tmp_path / "shown.html").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "masked.html").stat().st_mode & 0o077 != 0  # a masked page may be shared as before
    night = tmp_path / "night"
    (night / "calls").mkdir(parents=True)
    (night / "calls" / "x1.json").write_text(source.read_text())
    batch = runner.invoke(app, ["review", "--batch", str(night), "--show-pii"])
    assert batch.exit_code == 0, batch.output
    assert [p.stat().st_mode & 0o777 for p in sorted((night / "review").glob("*.html"))] == [0o600, 0o600]


def test_review_text_shows_transcript_text_as_it_is_not_as_markup(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    said = "my [account number] is [inaudible], see [link=https://evil.example]this page[/link] [bold]now"
    document = a_document(customer={"name": "[red]Ann[/red]"})
    document["turns"][1]["text"] = said
    document["events"][0]["text"] = "[inaudible] [link=https://evil.example]x[/link]"
    document["score"] = {"scorecard": "[b]default[/b]", "version": "1", "total": 80.0, "band": "good", "criteria": [
        {"id": "c", "label": "[i]Label[/i]", "result": "pass", "points": 1.0, "max": 1.0, "reason": "[dim]why[/dim]"}]}
    source = tmp_path / "x1.json"
    source.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["review", str(source), "--text", "--show-pii"], env={"COLUMNS": "250"})  # no cell cut short
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.replace("│", " ").split())
    for text in ("[account number]", "[inaudible],", "[link=https://evil.example]this", "page[/link]", "[bold]now",
                 "[link=https://evil.example]x[/link]", "[red]Ann[/red]", "[b]default[/b]", "[i]Label[/i]", "[dim]why[/dim]"):
        assert text in flat, text
