"""The demo page end to end, in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs):
search, rate three movies, get recommendations, remove a rating, reload and find the rest; a second browser session sees
none of them. A screenshot is written as an artefact ($APPLY_ML_AS_ARTIFACTS, else the test's temporary folder).

Skipped where Chromium or its driver is not installed, except in CI (CI=true), where it must run."""

import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

CHROMIUM, DRIVER = shutil.which('chromium'), shutil.which('chromedriver')
if not (CHROMIUM and DRIVER):
    if os.environ.get('CI'): raise RuntimeError('CI needs chromium and chromium-driver (apt-get install chromium chromium-driver)')
    pytest.skip('chromium and chromedriver are not installed', allow_module_level=True)
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from apply_ml_as.apps.demo import demo_script

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def server(tmp_path):
    port = free_port()
    script = tmp_path/'demo_app.py'; script.write_text(demo_script())
    env = {**os.environ, 'APPLY_ML_AS_DEMO_DIR': str(tmp_path/'demo'), 'APPLY_ML_AS_DEMO_DATASET': 'ml-latest-small'}
    p = subprocess.Popen([sys.executable, '-m', 'streamlit', 'run', str(script), '--server.port', str(port), '--server.address', '127.0.0.1',
                          '--server.headless', 'true', '--browser.gatherUsageStats', 'false'], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f'http://127.0.0.1:{port}'
    for _ in range(300):   # bounded wait for the health endpoint
        try:
            if urllib.request.urlopen(url + '/_stcore/health', timeout=1).status == 200: break
        except OSError: time.sleep(0.2)
    else:
        p.kill(); raise RuntimeError('streamlit did not start:\n' + p.stdout.read()[-3000:])
    yield url, tmp_path
    p.terminate()
    try: p.wait(10)
    except subprocess.TimeoutExpired: p.kill()

def browser(tmp_path, name):
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
              '--no-first-run', '--disable-sync', '--disable-quic', '--window-size=1400,1200', f'--user-data-dir={tmp_path/name}'):
        o.add_argument(a)
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    d.set_page_load_timeout(60)
    return d

def text(d): return d.find_element(By.TAG_NAME, 'body').text

def wait_text(d, s, timeout=120):
    WebDriverWait(d, timeout, poll_frequency=0.3).until(lambda d: s in text(d))

def click(d, by, sel, timeout=60):
    "Click an element once it is there, retrying while Streamlit re-renders the page under it."
    def attempt(d):
        try: d.find_element(by, sel).click(); return True
        except Exception: return False
    WebDriverWait(d, timeout, poll_frequency=0.3).until(attempt)

def rate(d, query, stars, title):
    def typed(d):
        try:
            box = d.find_element(By.CSS_SELECTOR, 'input[aria-label="Search a movie by title"]')
            box.send_keys(Keys.CONTROL, 'a'); box.send_keys(Keys.DELETE); box.send_keys(query, Keys.ENTER); return True
        except Exception: return False
    WebDriverWait(d, 60, poll_frequency=0.3).until(typed)
    wait_text(d, f'{title} ·')   # the chosen movie's card
    click(d, By.XPATH, f'//div[@role="radiogroup"]//label[.//p[normalize-space()="{stars}"]]')
    click(d, By.XPATH, '//button[.//p[normalize-space()="Rate this movie"]]')

def test_demo_in_a_browser(server):
    url, tmp = server
    d = browser(tmp, 'first')
    try:
        d.get(url)
        wait_text(d, 'Popular and well rated')
        for query, title in (('toy story 1995', 'Toy Story (1995)'), ('finding nemo', 'Finding Nemo (2003)'), ('shrek 2001', 'Shrek (2001)')):
            rate(d, query, '5.0', title)
            wait_text(d, f'{title}: 5')
        wait_text(d, 'Recommended for you')
        WebDriverWait(d, 60).until(lambda d: 'session=' in d.current_url)
        me = d.current_url
        click(d, By.XPATH, '(//button[.//p[normalize-space()="Remove"]])[1]')   # the newest first: Shrek
        WebDriverWait(d, 60).until(lambda d: 'Shrek (2001): 5' not in text(d))
        art = Path(os.environ.get('APPLY_ML_AS_ARTIFACTS') or tmp); art.mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(art/'demo.png'))
        print(f'screenshot: {art/"demo.png"}')
        d.get(me)   # a reload
        wait_text(d, 'Toy Story (1995): 5'); wait_text(d, 'Finding Nemo (2003): 5')
        assert 'Shrek (2001): 5' not in text(d)
        logs = [l for l in d.get_log('browser') if l['level'] == 'SEVERE']
        assert not logs, logs
    finally: d.quit()
    other = browser(tmp, 'second')   # another browser session: its own, empty ratings
    try:
        other.get(url)
        wait_text(other, 'You have not rated any movie yet')
        assert 'Toy Story (1995): 5' not in text(other)
    finally: other.quit()
