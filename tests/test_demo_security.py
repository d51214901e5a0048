"""The demo reads only what its own page received: a client that names a server file in a FileData
(``path`` anywhere on the disk, a ``../`` out of the upload folder, a link inside it that points
out) gets an error, never the file's content.

Two layers, each tested: over HTTP (raw requests to Gradio's REST route, as an attacker sends them;
gradio_client would upload a file it can see, which is not the attack), Gradio itself refuses such
a path, and zhen checks again; and zhen's ``Demo`` (which the page calls) refuses to read any file
outside the upload folder whoever calls it: that check is zhen's own and did not exist before."""

from __future__ import annotations

import json
import os

import pytest

gr = pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")

from .test_demo import app_url  # noqa: F401 — the fixture, shared

SECRET = "机密：内部讨论稿。SECRET-7731"


@pytest.fixture(scope="module")
def url(app_url):
    """The page started as test_demo starts it (the tiny model, a free localhost port)."""
    return app_url.rstrip("/")


def _raw_call(url: str, data: list) -> tuple[str, str]:
    """POST /gradio_api/call/translate with ``data`` as sent, then read the result's event stream:
    ("complete", everything the page would show and offer) or ("error", Gradio's message)."""
    import httpx

    event = httpx.post(f"{url}/gradio_api/call/translate", json={"data": data}, timeout=60).json()["event_id"]
    with httpx.stream("GET", f"{url}/gradio_api/call/translate/{event}", timeout=120) as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                body = line.split(":", 1)[1]
                return kind, (_everything(json.loads(body)) if kind == "complete" else body)
    raise AssertionError("no result in the event stream")


def _file_data(path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": os.path.basename(path)}


def _everything(result) -> str:
    """Every output of a request as one string: status, side by side, summary, audit and the
    content of each file offered for download."""
    status, side, summary, audit, files = result
    parts = [str(status), str(side), str(summary), str(audit), json.dumps(files, ensure_ascii=False)]
    for f in files or []:
        path = f if isinstance(f, str) else (f.get("path") if isinstance(f, dict) else None)
        if path and os.path.isfile(path):
            with open(path, "rb") as fh:
                parts.append(fh.read().decode("utf-8", "replace"))
    return "\n".join(parts)


def _outside_files(tmp_path):
    """A server file outside Gradio's upload folder, reached three ways."""
    from gradio.utils import get_upload_folder

    secret = tmp_path / "notes.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    upload_root = get_upload_folder()
    os.makedirs(upload_root, exist_ok=True)
    dotdot = os.path.join(upload_root, os.path.relpath(secret, upload_root))  # …/gradio/../../tmp/…/notes.txt
    link_dir = os.path.join(upload_root, "zhen-test-link")
    os.makedirs(link_dir, exist_ok=True)
    link = os.path.join(link_dir, "notes.txt")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(secret, link)
    return {"absolute": secret, "dotdot": dotdot, "link": link}


@pytest.mark.parametrize("how", ["absolute", "dotdot", "link"])
def test_over_http_a_server_file_named_as_a_release_never_comes_back(url, tmp_path, how):
    target = _outside_files(tmp_path)[how]
    kind, everything = _raw_call(url, ["", _file_data(target), [], None, 0])
    assert "SECRET-7731" not in everything and "内部讨论稿" not in everything
    assert "not uploaded by a user" in everything or "not one this page received" in everything, everything


@pytest.mark.parametrize("how", ["absolute", "link"])
def test_over_http_a_server_file_named_as_a_session_glossary_never_comes_back(url, tmp_path, how):
    target = _outside_files(tmp_path)[how]
    kind, everything = _raw_call(url, ["陈亮出席并致辞。", None, [], _file_data(target), 0])
    assert "SECRET-7731" not in everything
    assert "not uploaded by a user" in everything or "not one this page received" in everything, everything


@pytest.mark.parametrize("how", ["absolute", "dotdot", "link"])
@pytest.mark.parametrize("field", ["release", "glossary"])
def test_the_demo_itself_reads_no_file_outside_the_upload_folder(tiny_model, tmp_path, how, field):
    """zhen's own check, whoever calls the page's handler: before it, Demo.run read any path."""
    from zhen.demo import NOT_RECEIVED, Demo
    from zhen.errors import ZhenError
    from zhen.pipeline import Pipeline

    target = str(_outside_files(tmp_path)[how])
    demo = Demo(Pipeline.load(str(tiny_model)))
    args = ("", target, [], None, 0) if field == "release" else ("陈亮出席并致辞。", None, [], target, 0)
    with pytest.raises(ZhenError) as refused:
        demo.run(*args)
    assert str(refused.value) == NOT_RECEIVED


def test_a_non_loopback_host_is_warned_about_and_logins_are_read(tmp_path):
    from zhen.demo import is_loopback, read_auth
    from zhen.errors import ZhenError

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20") and not is_loopback("office-pc")
    logins = tmp_path / "logins.txt"
    logins.write_text("# staff\nwang:s3cret:with:colons\n\nli:pw\n", encoding="utf-8")
    assert read_auth(("admin:pw",), logins) == [("admin", "pw"), ("wang", "s3cret:with:colons"), ("li", "pw")]
    logins.write_text("wang:ok\nnocolon\n", encoding="utf-8")
    with pytest.raises(ZhenError, match=r"logins.txt:2: expected user:password"):
        read_auth((), logins)


def test_a_real_upload_is_still_read(url, tmp_path):
    """The fix refuses what the page did not receive, not uploads: a file sent through Gradio's
    upload route, then named by the path Gradio gave it (as the page does), is translated."""
    client = gradio_client.Client(url + "/", verbose=False)
    release = tmp_path / "release.txt"
    release.write_text("陈亮出席并致辞。\n", encoding="utf-8")
    result = client.predict("", gradio_client.handle_file(str(release)), [], None, 0, api_name="/translate")
    assert result[0].startswith("Translated"), result[0]
    assert "Chen Liang" in result[1]
