"""Convergence under faults: random concurrent ops while a server process dies and sockets drop.

Four scripted clients and the real board page in Chromium take part. Afterwards every client's
board (and what the page draws) equals the database's, every acknowledged op is in the log, and
no op was applied twice. CI runs one fixed seed; run many with
`CONVERGENCE_SEEDS=1-20 pytest tests/boards/test_convergence.py`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import uuid
from collections import Counter

import pytest
import websockets
from playwright.async_api import async_playwright

from boards.domain import BoardState, evolve
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.conftest import need
from tests.servers import create_board, daphne_processes, get_json, migrate, server_env, shared_database

pytestmark = [pytest.mark.services, pytest.mark.slow]


def seeds() -> list[int]:
    spec = os.environ.get("CONVERGENCE_SEEDS", "7")
    if "-" in spec:
        low, high = spec.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(part) for part in spec.split(",")]


class ScriptedClient:
    """Keeps the board the way the page does: snapshot, then events strictly in seq order; an
    outbox of unacknowledged ops that is sent again, with the same op_ids, after every reconnect."""

    def __init__(self, name: str, url: str, rng: random.Random):
        self.name, self.url, self.rng = name, url, rng
        self.state = BoardState()
        self.seq = 0
        self.held: dict[int, dict] = {}
        self.outbox: dict[str, dict] = {}
        self.sent: dict[str, str] = {}
        self.acked: dict[str, int] = {}
        self.rejected: dict[str, str] = {}
        self.refused_for_now = 0
        self.socket = None
        self.online = asyncio.Event()
        self.stopping = False
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        while not self.stopping:
            try:
                async with websockets.connect(self.url, max_size=2**24, open_timeout=3) as socket:
                    self.socket = socket
                    await socket.send(
                        json.dumps({"type": "hello", "protocol": 2, "since": self.seq, "name": self.name})
                    )
                    async for raw in socket:
                        await self.receive(json.loads(raw))
            except (OSError, websockets.WebSocketException, TimeoutError):
                pass
            self.online.clear()
            self.socket = None
            await asyncio.sleep(0.2)

    async def receive(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "welcome":
            self.online.set()
            for op in list(self.outbox.values()):
                await self.socket.send(json.dumps(op))
        elif kind == "snapshot":
            self.state = BoardState.from_snapshot(frame["board"])
            self.seq = frame["seq"]
            self.held = {s: e for s, e in self.held.items() if s > self.seq}
            self.drain()
        elif kind == "events":
            for event in frame["events"]:
                await self.event(event)
        elif kind == "event":
            await self.event(frame)
        elif kind == "ack":
            self.outbox.pop(frame["op_id"], None)
            self.acked[frame["op_id"]] = frame["seq"]
        elif kind == "reject":
            if frame["error"]["code"] in ("unavailable", "rate_limited"):
                # Not applied: it stays in the outbox and goes again shortly, as the page does.
                self.refused_for_now += 1
                asyncio.get_running_loop().call_later(0.5, self.resend, frame["op_id"])
                return
            self.outbox.pop(frame["op_id"], None)
            self.rejected[frame["op_id"]] = frame["error"]["code"]

    def resend(self, op_id: str) -> None:
        op = self.outbox.get(op_id)
        if op is not None and self.socket is not None and self.online.is_set():
            asyncio.ensure_future(self.socket.send(json.dumps(op)))

    async def event(self, frame: dict) -> None:
        if frame["seq"] <= self.seq:
            return
        self.held[frame["seq"]] = frame
        if frame["seq"] > self.seq + 1 and self.socket is not None:
            await self.socket.send(json.dumps({"type": "sync", "since": self.seq}))
        self.drain()

    def drain(self) -> None:
        while self.seq + 1 in self.held:
            frame = self.held.pop(self.seq + 1)
            evolve(self.state, frame["event"], frame["data"])
            self.seq = frame["seq"]

    async def send_op(self, op: str, data: dict) -> None:
        frame = {"type": "op", "op_id": str(uuid.uuid4()), "op": op, "data": data}
        self.outbox[frame["op_id"]] = frame
        self.sent[frame["op_id"]] = op
        if self.socket is not None and self.online.is_set():
            try:
                await self.socket.send(json.dumps(frame))
            except websockets.WebSocketException:
                pass  # goes again after the reconnect

    async def drop_connection(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    def random_op(self) -> tuple[str, dict]:
        rng, notes, frames = self.rng, list(self.state.notes), list(self.state.frames)
        roll = rng.random()
        point = {"x": rng.uniform(0, 2000), "y": rng.uniform(0, 1200)}
        if roll < 0.3 or not notes:
            kind = rng.choice(["event", "command", "policy", "hotspot"])
            return "note.create", {
                "id": str(uuid.uuid4()),
                "kind": kind,
                "text": f"{self.name} {rng.random():.3f}",
                **point,
            }
        if roll < 0.5:
            return "note.update", {"id": rng.choice(notes), **point}
        if roll < 0.62:
            return "note.update", {"id": rng.choice(notes), "text": f"edited by {self.name}"}
        if roll < 0.72:
            return "note.delete", {"id": rng.choice(notes)}
        if roll < 0.84 and len(notes) > 1:
            source, target = rng.sample(notes, 2)
            return "link.create", {"id": str(uuid.uuid4()), "from": source, "to": target}
        if roll < 0.92 or not frames:
            kind = rng.choice(["aggregate", "bounded_context"])
            return "frame.create", {"id": str(uuid.uuid4()), "kind": kind, "name": "Group", "w": 500, "h": 400, **point}
        return "frame.update", {"id": rng.choice(frames), **point}

    async def stop(self) -> None:
        self.stopping = True
        await self.drop_connection()
        if self.task:
            self.task.cancel()


class BrowserClient:
    """The board page in Chromium as one more person: every change goes through the page's own
    `state.submit`, and its own socket (outbox, reconnect, resend) has to bring it back after
    faults. The test only listens to what the server tells the page."""

    name = "Browser"

    def __init__(self, page, rng: random.Random):
        self.page, self.rng = page, rng
        self.sent: dict[str, str] = {}
        self.acked: set[str] = set()
        self.rejected: dict[str, str] = {}
        self.connections = 0
        page.on("websocket", self.watch)

    def watch(self, socket) -> None:
        self.connections += 1

        def received(payload: str | bytes) -> None:
            frame = json.loads(payload)
            if frame.get("type") == "ack":
                self.acked.add(frame["op_id"])
            elif frame.get("type") == "reject" and frame["error"]["code"] not in ("unavailable", "rate_limited"):
                self.rejected[frame["op_id"]] = frame["error"]["code"]

        socket.on("framereceived", received)

    async def join(self, url: str) -> None:
        await self.page.goto(url)
        await self.page.wait_for_selector("body[data-loaded]")
        await self.page.wait_for_selector('#connection-state[data-state="connected"]')

    async def send_op(self) -> None:
        shown = await self.page.evaluate(
            "() => ({notes: [...storming.state.view.notes.keys()], frames: [...storming.state.view.frames.keys()]})"
        )
        op, data = self.random_op(shown["notes"], shown["frames"])
        op_id = await self.page.evaluate("([op, data]) => storming.state.submit(op, data)", [op, data])
        if op_id is not None:
            self.sent[op_id] = op

    def random_op(self, notes: list[str], frames: list[str]) -> tuple[str, dict]:
        """An op shaped the way the page's own gestures shape it."""
        rng = self.rng
        roll = rng.random()
        point = {"x": round(rng.uniform(0, 2000)), "y": round(rng.uniform(0, 1200))}
        if roll < 0.35 or not notes:
            kind = rng.choice(["event", "command", "read_model", "hotspot"])
            text = f"{self.name} {rng.random():.3f}"
            note = {"id": str(uuid.uuid4()), "kind": kind, "text": text, "w": 160, "h": 100, "fields": []}
            return "note.create", {**note, **point}
        if roll < 0.6:
            return "note.update", {"id": rng.choice(notes), **point}
        if roll < 0.75:
            return "note.update", {"id": rng.choice(notes), "text": f"typed in the browser {rng.random():.3f}"}
        if roll < 0.87:
            return "note.delete", {"id": rng.choice(notes)}
        if roll < 0.95 and len(notes) > 1:
            source, target = rng.sample(notes, 2)
            return "link.create", {"id": str(uuid.uuid4()), "from": source, "to": target, "label": ""}
        if frames:
            return "frame.update", {"id": rng.choice(frames), **point}
        return "note.update", {"id": rng.choice(notes), **point}

    async def drop_connection(self) -> None:
        # The browser loses the network; the page notices, and reconnects once it is back.
        await self.page.context.set_offline(True)
        await asyncio.sleep(0.2)
        await self.page.context.set_offline(False)

    async def settled(self, timeout: float) -> None:
        """Connected, with nothing in the outbox and nothing pending on top of confirmed state."""
        await self.page.wait_for_selector(
            '#connection-state[data-state="connected"][data-waiting="0"]', timeout=timeout * 1000
        )
        await self.page.wait_for_function(
            "() => storming.socket.connected && !storming.socket.waiting && !storming.state.pending.length",
            timeout=timeout * 1000,
        )

    async def reached(self, seq: int, timeout: float) -> None:
        await self.page.wait_for_function("seq => storming.state.seq === seq", arg=seq, timeout=timeout * 1000)

    async def confirmed(self) -> dict:
        return await self.page.evaluate(
            """() => {
                const board = storming.state.confirmed;
                return {notes: [...board.notes.values()], frames: [...board.frames.values()], links: [...board.links.values()]};
            }"""
        )

    async def shown_notes(self) -> list[tuple[str, str]]:
        """The stickies drawn on the page. Off-screen ones are brought up to date only when they
        scroll into view, so first fit the whole board into view, as the Fit button does."""
        await self.page.click("#zoom-fit")
        await self.page.wait_for_function("() => !document.querySelector('#notes-layer .note.offscreen')")
        shown = await self.page.evaluate(
            """() => [...document.querySelectorAll("#notes-layer .note[data-id]")]
                .map((note) => [note.dataset.id, note.querySelector(".note-text").textContent])"""
        )
        return sorted(map(tuple, shown))


def comparable(board: dict) -> dict:
    return {
        "notes": sorted(board["notes"], key=lambda n: n["id"]),
        "frames": sorted(board["frames"], key=lambda f: f["id"]),
        "links": sorted(board["links"], key=lambda link: link["id"]),
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_url):
    folder = tmp_path_factory.mktemp("convergence")
    with shared_database(folder) as database:
        env = server_env(database, REDIS_URL=redis_url)
        migrate(env)
        with daphne_processes(env, folder) as servers:
            yield servers


@pytest.fixture
async def chromium():
    need(f"Chromium at {CHROMIUM}", chromium_installed(), "is not installed (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def wait_until(condition, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("seed", seeds())
async def test_every_client_converges_on_the_database_through_crashes(cluster, chromium, seed):
    rng = random.Random(seed)
    board = await asyncio.to_thread(create_board, cluster[0].url, f"Convergence {seed}")
    key = board["keys"]["editor"]
    clients = [
        ScriptedClient(
            f"P{i}", f"{cluster[i % 2].ws_url}/ws/boards/{board['id']}/?key={key}", random.Random(rng.random())
        )
        for i in range(4)
    ]
    for client in clients:
        client.start()
    context = await chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    # Someone who has been here before: the page does not stop to ask for a name.
    await context.add_init_script(f"localStorage.setItem('storming:name', {json.dumps(BrowserClient.name)})")
    browser = BrowserClient(await context.new_page(), random.Random(rng.random()))
    # The edit link, on the process that is about to be killed.
    assert board["url"].startswith(cluster[0].url) and f"#key={key}" in board["url"]
    await browser.join(board["url"])
    await wait_until(lambda: all(c.online.is_set() for c in clients), 20, "every client to join")

    for step in range(160):
        person = rng.choice([*clients, browser])
        await (browser.send_op() if person is browser else person.send_op(*person.random_op()))
        if step == 60:
            cluster[0].kill()  # half the clients and the page lose their server mid-workshop
            await browser.send_op()  # sent into a socket that does not know yet that it is dead
        if step == 90:
            await asyncio.to_thread(cluster[0].start)
        if step % 37 == 0:
            await rng.choice([*clients, browser]).drop_connection()
        await asyncio.sleep(rng.uniform(0, 0.01))

    await wait_until(lambda: all(c.online.is_set() and not c.outbox for c in clients), 60, "every op to be answered")
    await browser.settled(timeout=60)
    final = await asyncio.to_thread(get_json, f"{cluster[1].url}/api/boards/{board['id']}/", board["keys"]["viewer"])
    await wait_until(lambda: all(c.seq == final["seq"] for c in clients), 30, "every client to reach the last seq")
    await browser.reached(final["seq"], timeout=30)
    log = await asyncio.to_thread(
        get_json, f"{cluster[1].url}/api/boards/{board['id']}/history/?limit=1000", board["keys"]["viewer"]
    )
    for client in clients:
        await client.stop()

    expected = comparable(final)
    for client in clients:
        assert comparable(client.state.snapshot()) == expected, f"{client.name} differs from the database"
    assert comparable(await browser.confirmed()) == expected, "the page's confirmed board differs from the database"
    assert await browser.shown_notes() == sorted((n["id"], n["text"]) for n in final["notes"])
    await context.close()

    assert final["seq"] == len(log["events"]) and final["notes"]
    events_by_op = Counter(e["op_id"] for e in log["events"])
    sent = {op_id: op for c in [*clients, browser] for op_id, op in c.sent.items()}
    acked = [*(op_id for c in clients for op_id in c.acked), *browser.acked]
    acked_creates = [op_id for op_id in acked if sent[op_id].endswith(".create")]
    assert acked_creates and all(op_id in events_by_op for op_id in acked_creates), "an acknowledged op is missing"
    assert browser.connections > 1, "the page never had to reconnect"
    assert browser.sent and set(browser.sent) == browser.acked | set(browser.rejected), "a page's op went unanswered"
    assert set(events_by_op) <= set(sent), "the log holds an op nobody sent"
    # Applied once: an op's events sit together in one run of seqs, never twice.
    for op_id in events_by_op:
        seqs = sorted(e["seq"] for e in log["events"] if e["op_id"] == op_id)
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"op {op_id} was applied more than once"
    created = Counter(e["data"]["id"] for e in log["events"] if e["event"].endswith(".created"))
    assert max(created.values()) == 1
