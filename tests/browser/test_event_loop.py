"""Browser tests and asyncio tests run in one session, in any order.

Playwright's sync API leaves its loop marked as the thread's running loop after every call; the
browser fixture takes the mark off when a browser test ends (tests/browser/conftest.py says why).
"""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync


def home_page_title(browser, app_server) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(app_server.url + "/")
    title = page.title()
    context.close()
    return title


def test_a_browser_test_drives_chromium(browser, app_server):
    assert home_page_title(browser, app_server)


async def test_an_asyncio_test_runs_after_it_while_the_browser_lives(session_chromium):
    await asyncio.sleep(0)
    assert session_chromium[0].is_connected()


def test_so_does_code_that_starts_a_loop_of_its_own(session_chromium):
    assert asyncio.run(asyncio.sleep(0, "ran")) == "ran"
    assert async_to_sync(asyncio.sleep)(0, "ran") == "ran"


def test_and_the_browser_still_works_afterwards(browser, app_server):
    assert home_page_title(browser, app_server)
