"""Browser tests drive the real page in Chromium against a real Daphne process.

The server runs as a subprocess on a free loopback port with its own SQLite file, so these
tests never touch pytest-django's test database: they talk HTTP and WebSocket like a user.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.conftest import need
from tests.servers import DaphneServer, migrate, server_env


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the real page in Chromium (Playwright)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    in_browser = [item for item in items if here in Path(item.fspath).parents]
    for item in in_browser:
        item.add_marker(pytest.mark.browser)


class Server(DaphneServer):
    """A Daphne process serving Storming; stop() and start() again keep its port and data."""

    def __init__(self, workdir: Path) -> None:
        database = {"SQLITE_PATH": str(workdir / "board.sqlite3")}
        env = server_env(database, DEBUG="true", SERVE_STATIC="true", DJANGO_SETTINGS_MODULE="storming.settings")
        super().__init__(env, log_path=workdir / "daphne.log")
        # The view key of every board created here: reading a board over HTTP needs one.
        self.view_keys: dict[str, str] = {}

    def migrate(self) -> None:
        migrate(self.env)

    def start(self, timeout: float = 30) -> Server:
        return super().start(timeout)

    def stop(self) -> None:
        super().stop()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # --- HTTP helpers the tests use to set up and to check what the server holds ---

    def request(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if key:
            req.add_header("Authorization", f"Bearer {key}")
        with urllib.request.urlopen(req, timeout=10) as response:
            return json.loads(response.read())

    def create_board(self, name: str = "Workshop", example: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if example:
            body["example"] = example
        board = self.request("POST", "/api/boards/", body)
        self.view_keys[board["id"]] = board["keys"]["viewer"]
        return board

    def snapshot(self, board_id: str, key: str | None = None) -> dict[str, Any]:
        return self.request("GET", f"/api/boards/{board_id}/", key=key or self.view_keys[board_id])

    def op(self, board: dict[str, Any], op: str, data: dict[str, Any]) -> Any:
        """Apply an op over HTTP with the board's facilitator key, as a script would."""
        body = {"op_id": str(uuid.uuid4()), "op": op, "data": data}
        return self.request("POST", f"/api/boards/{board['id']}/ops/", body, key=board["keys"]["facilitator"])

    def add_note(self, board: dict[str, Any], kind: str, text: str, x: float, y: float, **size: float) -> str:
        note_id = str(uuid.uuid4())
        w, h = size.get("w", 160), size.get("h", 110)
        self.op(board, "note.create", {"id": note_id, "kind": kind, "text": text, "x": x, "y": y, "w": w, "h": h})
        return note_id

    def add_frame(self, board: dict[str, Any], kind: str, name: str, x: float, y: float, w: float, h: float) -> str:
        frame_id = str(uuid.uuid4())
        self.op(board, "frame.create", {"id": frame_id, "kind": kind, "name": name, "x": x, "y": y, "w": w, "h": h})
        return frame_id


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("storming-server"))
    srv.migrate()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def app_server(server: Server) -> Iterator[Server]:
    """The server, restarted afterwards if a test left it stopped."""
    yield server
    if server.process is None:
        server.start()


# Playwright's sync API runs its asyncio loop in a greenlet of the test's own thread, and after
# every call it marks that loop as the thread's running loop again (wait_for_future in
# playwright/_impl/_greenlets.py), because the loop is suspended mid-run inside that greenlet.
# Left marked between tests, it makes the thread look as if it were inside a coroutine: every
# later asyncio test ("Runner.run() cannot be called from a running event loop") and every
# async_to_sync refuses to start. So the mark stands only while a browser test runs: taken off
# when one ends, put back before Playwright is called again (its callbacks need it).


@pytest.fixture(scope="session")
def session_chromium() -> Iterator[tuple[Any, asyncio.AbstractEventLoop]]:
    need(f"Chromium at {CHROMIUM}", chromium_installed(), "is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        loop = asyncio.get_running_loop()  # Playwright's, marked by the call just made
        asyncio._set_running_loop(None)
        yield chromium, loop
        asyncio._set_running_loop(loop)
        chromium.close()


@pytest.fixture
def browser(session_chromium: tuple[Any, asyncio.AbstractEventLoop]) -> Iterator[Any]:
    """The session's Chromium, for one test; between tests the thread is free for asyncio."""
    chromium, loop = session_chromium
    asyncio._set_running_loop(loop)
    yield chromium
    asyncio._set_running_loop(None)


class BoardPage:
    """One person's browser tab on a board, with the gestures the tests repeat."""

    def __init__(self, page: Any, board: dict[str, Any]) -> None:
        self.page = page
        self.board = board

    def wait_until_loaded(self) -> None:
        self.page.wait_for_selector("body[data-loaded]")
        self.page.wait_for_selector('#connection-state[data-state="connected"]')

    def reload(self) -> None:
        self.page.reload()
        self.wait_until_loaded()

    def note(self, note_id: str) -> Any:
        return self.page.locator(f'.note[data-id="{note_id}"]')

    def frame(self, frame_id: str) -> Any:
        return self.page.locator(f'.frame[data-id="{frame_id}"]')

    def note_id_with_text(self, text: str) -> str:
        note = self.page.locator(".note", has=self.page.locator(".note-text", has_text=text))
        note.first.wait_for()
        return note.first.get_attribute("data-id")

    def add_note(self, kind: str, text: str) -> str:
        """Click the palette, type the text in place, press Enter; returns the new note's id."""
        self.page.locator(f'.palette-item[data-kind="{kind}"]').click()
        return self.type_in_place(".note-editor", ".note.editing", text)

    def type_in_place(self, editor_selector: str, edited_selector: str, text: str) -> str:
        """Type into the in-place editor that just opened and press Enter; the edited element's id."""
        editor = self.page.locator(editor_selector)
        editor.wait_for()
        element_id = self.page.locator(edited_selector).get_attribute("data-id")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        editor.wait_for(state="detached")
        return element_id

    def centre(self, locator: Any) -> tuple[float, float]:
        box = locator.bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def drag(self, start: tuple[float, float], end: tuple[float, float], shift: bool = False) -> None:
        mouse = self.page.mouse
        mouse.move(*start)
        if shift:
            self.page.keyboard.down("Shift")
        mouse.down()
        mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
        mouse.move(*end, steps=5)
        mouse.up()
        if shift:
            self.page.keyboard.up("Shift")

    def drag_by(self, locator: Any, dx: float, dy: float) -> None:
        x, y = self.centre(locator)
        self.drag((x, y), (x + dx, y + dy))

    def draw_frame(self, kind: str, start: tuple[float, float], end: tuple[float, float], name: str) -> str:
        self.page.locator(f'.tool[data-tool="{kind}"]').click()
        self.drag(start, end)
        return self.type_in_place(".frame-name-editor", ".frame.editing", name)

    def transform(self, locator: Any) -> str:
        return locator.evaluate("el => el.style.transform")

    def settled(self) -> None:
        """Wait until every change this page made is acked by the server."""
        self.page.wait_for_selector('#connection-state[data-state="connected"][data-waiting="0"]')


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_board(
    request: pytest.FixtureRequest, browser: Any, app_server: Server, tmp_path: Path
) -> Iterator[Callable[..., BoardPage]]:
    """open_board(board, name) -> a tab of a new browser context (its own person) on the board."""
    contexts = []

    def open_(board: dict[str, Any], name: str | None = "Ana", viewport: dict | None = None) -> BoardPage:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
        context.set_default_timeout(15000)
        if name is not None:
            # The page asks a first-time visitor for a name; these people have been here before.
            context.add_init_script(f"localStorage.setItem('storming:name', {json.dumps(name)})")
        contexts.append(context)
        page = context.new_page()
        page.goto(board["url"])
        tab = BoardPage(page, board)
        if name is not None:
            tab.wait_until_loaded()
        return tab

    yield open_
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for i, context in enumerate(contexts):
        if failed:
            # What each person saw when the test failed, to look at rather than guess.
            for j, page in enumerate(context.pages):
                path = tmp_path / f"failure-{i}-{j}.png"
                page.screenshot(path=path)
                print(f"screenshot: {path}")
        context.close()
