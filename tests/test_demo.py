"""The Gradio demo, driven in a real headless browser (Debian's chromium + chromedriver, Selenium).

The app is started in this process on a free localhost port with the tiny model trained by the
suite, the same pipeline as the CLI. A screenshot of the translated page is saved to
``artifacts/demo-translated.png`` (and the glossary error to ``artifacts/demo-bad-glossary.png``).
"""

from __future__ import annotations

import shutil
import socket
import time

import pytest

from zhen.settings import Settings

from .conftest import ROOT, SAMPLE

gr = pytest.importorskip("gradio")
pytest.importorskip("selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tiny_model):
    from zhen.demo import launch

    port = _free_port()
    app, _ = launch(Settings(model=str(tiny_model), beam_size=1), host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2400"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def _wait_for(driver, css: str, needle: str, timeout: float = 180) -> str:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        text = " ".join(e.text for e in found)
        if needle in text:
            return text
        time.sleep(0.5)
    raise AssertionError(f"{needle!r} never appeared in {css}; last text: {text[:500]!r}")


def _paste(driver, text: str) -> None:
    """Put the release into the textarea the way a paste does: value set, input event fired."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # the header can render before the textbox on a loaded machine: wait for the textarea itself
    area = WebDriverWait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, "#source-text textarea"))
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, text)


def test_paste_translate_and_see_english_terms_and_summary(app_url, browser):
    from selenium.webdriver.common.by import By

    browser.get(app_url)
    info = _wait_for(browser, "#engine-info", "engine")
    # the page says which model and engine: CTranslate2, the default for a Marian model (engine auto)
    assert "ct2" in info and "zhen-tiny-model" in info
    _paste(browser, SAMPLE.read_text(encoding="utf-8"))
    browser.find_element(By.CSS_SELECTOR, "#translate-btn").click()
    status = _wait_for(browser, "#status", "Translated")
    assert "without last resort" in status
    side = _wait_for(browser, "#side-by-side", "Global Development Initiative")
    assert "落实全球发展倡议" in side
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#side-by-side mark.term")]
    assert "implementing the Global Development Initiative" in marks and "落实全球发展倡议" in marks
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-translated.png"))
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "button[role=tab]") if "Summary" in b.text).click()
    summary = _wait_for(browser, "#summary", "南宁")  # the sample's first summary sentence names Nanning
    assert len(browser.find_elements(By.CSS_SELECTOR, "#summary li")) == 3
    assert all(e.text.strip() for e in browser.find_elements(By.CSS_SELECTOR, "#summary li em"))
    assert summary
    links = browser.find_elements(By.CSS_SELECTOR, "#downloads a")
    hrefs = {(a.get_attribute("href") or "").rsplit(".", 1)[-1] for a in links}
    assert hrefs >= {"md", "json", "docx", "tmx"}, hrefs


def test_malformed_session_glossary_shows_its_error_in_the_page(app_url, browser, tmp_path):
    from selenium.webdriver.common.by import By

    bad = tmp_path / "bad.tsv"
    bad.write_text("全球发展倡议\tGlobal Development Initiative\n只有中文没有英文\n", encoding="utf-8")
    browser.get(app_url)
    _wait_for(browser, "#engine-info", "engine")
    _paste(browser, "陈亮出席并致辞。")
    browser.find_element(By.CSS_SELECTOR, "#session-glossary input[type=file]").send_keys(str(bad))
    _wait_for(browser, "#session-glossary", "⇣")  # uploaded: its size and a download link show
    browser.find_element(By.CSS_SELECTOR, "#translate-btn").click()
    status = _wait_for(browser, "#status", "Error")
    assert "bad.tsv" in status and ":2" in status  # the file and the line at fault
    assert "Traceback" not in browser.page_source
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-bad-glossary.png"))


def test_check_and_fix_tab_audits_a_pasted_draft_and_offers_the_fixed_english(app_url, browser):
    """The second tab: the sample release and the developers' flawed draft of it pasted, the
    audit and the fixed English shown with each edit marked, both offered for download."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from .conftest import SEEDS

    draft = (SEEDS / "guangxi-china-asean-green-value-chain-2023-09-18.draft-en.txt").read_text(encoding="utf-8")
    browser.get(app_url)
    _wait_for(browser, "#engine-info", "engine")
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "button[role=tab]") if "Check & fix" in b.text).click()
    for css, text in (("#check-source textarea", SAMPLE.read_text(encoding="utf-8")), ("#check-draft textarea", draft)):
        area = WebDriverWait(browser, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, css))
        browser.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, text)
    browser.find_element(By.CSS_SELECTOR, "#check-btn").click()
    status = _wait_for(browser, "#check-status", "Fixed with")
    assert "Checked 10 paragraphs" in status and "different" in status
    _wait_for(browser, "#check-report", "Fixed:")
    replaced = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#check-report mark.replaced")]
    assert "161.38 billion yuan" in replaced  # 1613.8 hundred million yuan, rewritten in place
    fixed = browser.find_element(By.CSS_SELECTOR, "#check-fixed textarea").get_attribute("value")
    assert "161.38 billion yuan" in fixed and "1613.8 hundred million" not in fixed
    assert "China-ASEAN Environmental Cooperation Forum" in fixed
    _wait_for(browser, "#check-downloads", "zhen-fixed")
    hrefs = {(a.get_attribute("href") or "").rsplit(".", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "#check-downloads a")}
    assert hrefs >= {"txt", "html"}, hrefs
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-check-fix.png"))


def test_a_long_paste_shows_the_time_left_and_can_be_cancelled(app_url, browser):
    """Issue 19: a long paste says how long it will take and Cancel stops it; the page serves on."""
    from selenium.webdriver.common.by import By

    browser.get(app_url)
    _wait_for(browser, "#engine-info", "engine")
    _paste(browser, "\n".join([SAMPLE.read_text(encoding="utf-8")] * 80))  # 172,000 characters, under the limit
    browser.find_element(By.CSS_SELECTOR, "#translate-btn").click()
    _wait_for(browser, "body", " left", timeout=120)  # "translating 120/1840 segments, about 40 s left"
    browser.find_element(By.CSS_SELECTOR, "#cancel-btn").click()
    _wait_for(browser, "#status", "Cancelled", timeout=30)
    _paste(browser, "陈亮出席并致辞。")
    browser.find_element(By.CSS_SELECTOR, "#translate-btn").click()
    assert "Chen Liang" in _wait_for(browser, "#side-by-side", "Chen Liang", timeout=60)
