"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests (stdlib only, plain HTTP).

It speaks the Bot API's JSON envelope for the methods the bot uses, validates HTML the way Telegram does
(allowed tags, nesting, entities, 4096 characters after entity parsing), keeps the messages of each chat,
long-polls updates with offsets (an update is forgotten once a getUpdates asks for a higher offset), serves
file downloads under /file/bot<token>/, and delivers updates to a webhook once one is set. Each instance is
a bot of its own (its own id and token). Tests inject updates and wait for calls, and inject faults: a 429
with retry_after, a call held until released (then delivered, or dropped unanswered), a call delivered
whose response is lost with the connection, and an outage (connections refused for a while).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote

SECRET = "AAE-fake_token-for_tests_0123456789"
BOT_USER = {
    "id": 987654321,
    "is_bot": True,
    "first_name": "DAS Social",
    "username": "das_social_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
"""The bot every instance plays, but for its id (the number before the colon in its token)."""
_BOT_IDS = itertools.count(BOT_USER["id"])
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20_000_000
MAX_CALLBACK_DATA = 64
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
# Values PTB sends as plain strings; every other form field is JSON.
RAW_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "file_id", "action"}
)

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")


class HtmlError(ValueError):
    """Telegram's "can't parse entities" error."""


class ApiError(Exception):
    """A Bot API error reply."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    """Telegram's length: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _check_tag(name: str, attrs: str, stack: list[str], offset: int) -> None:
    values = {
        m.group(1).lower(): next((g for g in m.group(2, 3, 4) if g is not None), "") for m in _ATTR.finditer(attrs)
    }
    allowed = {
        "a": {"href"},
        "span": {"class"},
        "code": {"class"},
        "blockquote": {"expandable"},
        "tg-emoji": {"emoji-id"},
    }
    if set(values) - allowed.get(name, set()):
        raise HtmlError(f'Can\'t parse entities: unsupported attribute in tag "{name}" at byte offset {offset}')
    if name == "a" and not values.get("href"):
        raise HtmlError(f'Can\'t parse entities: tag "a" must have attribute href at byte offset {offset}')
    if name == "span" and values.get("class") != "tg-spoiler":
        raise HtmlError(f'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not values.get("emoji-id"):
        raise HtmlError(f'Can\'t parse entities: tag "tg-emoji" must have attribute emoji-id at byte offset {offset}')
    inside_code = any(t in ("pre", "code") for t in stack)
    if inside_code and not (name == "code" and stack[-1:] == ["pre"]):
        raise HtmlError(f"Can't parse entities: tag \"{name}\" can't be nested in pre or code at byte offset {offset}")
    if name in ("a", "blockquote") and name in stack:
        raise HtmlError(f"Can't parse entities: tag \"{name}\" can't be nested in itself at byte offset {offset}")


def parse_html(text: str) -> str:
    """The text of a Telegram HTML message after entity parsing; raises HtmlError like Telegram."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        offset = len(text[:pos].encode())
        if char == "<":
            match = _TAG.match(text, pos)
            if not match:
                raise HtmlError(f"Can't parse entities: unsupported start tag at byte offset {offset}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise HtmlError(f'Can\'t parse entities: unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if attrs.strip() or not stack or stack[-1] != name:
                    expected = stack[-1] if stack else name
                    raise HtmlError(
                        f"Can't parse entities: can't find end tag corresponding to start tag \"{expected}\""
                    )
                stack.pop()
            else:
                _check_tag(name, attrs, stack, offset)
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise HtmlError(f"Can't parse entities: character '&' must be escaped at byte offset {offset}")
            named, decimal, hexadecimal = match.groups()
            out.append(_NAMED[named] if named else chr(int(decimal) if decimal else int(hexadecimal, 16)))
            pos = match.end()
        elif char == ">":
            raise HtmlError(f"Can't parse entities: character '>' must be escaped at byte offset {offset}")
        else:
            out.append(char)
            pos += 1
    if stack:
        raise HtmlError(f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


def _entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram adds to a user's text."""
    found = []
    command = _COMMAND.match(text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for mention in _MENTION.finditer(text):
        found.append(
            {"type": "mention", "offset": utf16_len(text[: mention.start()]), "length": utf16_len(mention.group())}
        )
    return found


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    error: str | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def chat_id(self) -> int | None:
        return self.params.get("chat_id")

    @property
    def html(self) -> str:
        """The HTML the bot sent (text or caption)."""
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def plain(self) -> str:
        """What the user sees: the text after entity parsing."""
        return parse_html(self.html)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """The inline buttons under the message: (text, callback data)."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.fake._connected(self.connection, True)

    def finish(self) -> None:
        self.server.fake._connected(self.connection, False)
        super().finish()

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status: int, payload: bytes, content_type: str = "application/json", close: bool = False) -> None:
        """Answer; `close` ends the connection after the answer (`Connection: close`)."""
        with contextlib.suppress(OSError):  # the bot gave up a long poll, or an outage cut the connection
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)

    def hang_up(self) -> None:
        """Close the connection without answering (the client sees the server disconnect)."""
        self.close_connection = True


@dataclass(eq=False)
class Fault:
    """What the server does to matching calls: `skip` of them pass first, then `times` are hit (None: all)."""

    kind: str  # flood | hold | lose | outage
    method: str
    chat_id: int | None = None
    skip: int = 0
    times: int | None = 1
    retry_after: int = 1
    seconds: float = 0.0
    hold: Hold | None = None

    def hits(self, method: str, params: dict[str, Any]) -> bool:
        """Whether this call is hit (counting it)."""
        if method != self.method or (self.chat_id is not None and params.get("chat_id") != self.chat_id):
            return False
        if self.skip:
            self.skip -= 1
            return False
        if self.times is not None:
            self.times -= 1
        return True


class Hold:
    """Matching calls held unanswered until `release`: then delivered, or dropped with their connection."""

    def __init__(self, fake: FakeTelegram, fault: Fault) -> None:
        self.fake, self.fault = fake, fault
        self.held: list[Call] = []
        self.deliver: bool | None = None

    def wait(self, count: int = 1, timeout: float = 60) -> list[Call]:
        """The first `count` calls held (waiting for them to arrive)."""
        deadline = time.monotonic() + timeout
        with self.fake._changed:
            while len(self.held) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.held)} of {count} {self.fault.method} call(s) held")
                self.fake._changed.wait(left)
            return self.held[:count]

    def release(self, deliver: bool) -> None:
        """Let the held calls go: handled as usual, or dropped unhandled (no answer, connection closed).
        Later calls pass."""
        with self.fake._changed:
            self.fake._faults.remove(self.fault)
            self.deliver = deliver
            self.fake._changed.notify_all()

    def _block(self, call: Call) -> bool:
        """Hold `call` until released; whether it is delivered. Call with the lock held."""
        self.held.append(call)
        self.fake._changed.notify_all()
        while self.deliver is None and not self.fake._closing:
            self.fake._changed.wait()
        return bool(self.deliver)


class FakeTelegram:
    """The fake server: start it, point the bot's base_url/base_file_url at it, inject updates, watch calls."""

    def __init__(self) -> None:
        self.bot_user = {**BOT_USER, "id": next(_BOT_IDS)}
        self.token = f"{self.bot_user['id']}:{SECRET}"
        self.calls: list[Call] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.html: dict[tuple[int, int], str] = {}
        self.files: dict[str, tuple[bytes, int, str]] = {}
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self.commands: list[dict[str, str]] = []
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._ids = itertools.count(1)
        self._faults: list[Fault] = []
        self._connections: set[socket.socket] = set()
        self._changed = threading.Condition()
        self._closing = False
        self._server: _Server | None = None
        self._port = 0
        self._back: threading.Timer | None = None

    # lifecycle

    def __enter__(self) -> Self:
        self._listen()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            back, server, self._server = self._back, self._server, None
        if back is not None:
            back.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def _listen(self) -> None:
        """Accept connections (again, on the same port)."""
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        with self._changed:
            if self._closing:
                server.server_close()
                return
            self._server, self._port = server, server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-telegram", daemon=True).start()

    def _go_down(self, seconds: float, keep: socket.socket) -> None:
        """An outage: stop listening (connections are refused), cut every connection but `keep`, and listen
        again after `seconds`."""
        with self._changed:
            server, self._server = self._server, None
            others = [c for c in self._connections if c is not keep]
        if server is not None:
            server.shutdown()
            server.server_close()
        for connection in others:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        with self._changed:
            if not self._closing:
                self._back = threading.Timer(seconds, self._listen)
                self._back.start()

    def _connected(self, connection: socket.socket, open_: bool) -> None:
        with self._changed:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """PTB's base_url (the token is appended)."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's base_file_url (the token is appended)."""
        return f"{self.root}/file/bot"

    # what tests inject

    def user(self, user_id: int, first_name: str) -> dict[str, Any]:
        """A user, with the private chat the bot has with them."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "da"}
        self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name})
        return user

    def group(self, chat_id: int, title: str) -> dict[str, Any]:
        """A group chat the bot is in."""
        return self.chats.setdefault(chat_id, {"id": chat_id, "type": "group", "title": title})

    def send(
        self,
        user: dict[str, Any],
        text: str,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user's text message (commands and mentions get their entities)."""
        extra: dict[str, Any] = {"text": text}
        if entities := _entities(text):
            extra["entities"] = entities
        return self._user_message(user, chat, extra, reply_to)

    def send_document(
        self,
        user: dict[str, Any],
        file_name: str,
        content: bytes,
        chat: dict[str, Any] | None = None,
        file_size: int | None = None,
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A user's document; `file_size` is what the update claims (default: the content's size)."""
        file_id = f"file-{next(self._ids)}"
        size = len(content) if file_size is None else file_size
        self.files[file_id] = (
            content,
            size,
            f"documents/{file_id}{'.' + file_name.rsplit('.', 1)[-1] if '.' in file_name else ''}",
        )
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": size,
        }
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
            if entities := _entities(caption):
                extra["caption_entities"] = entities
        return self._user_message(user, chat, extra)

    def press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> str:
        """A user pressing an inline button under a bot message; returns the callback query id."""
        query_id = f"cq{next(self._ids)}"
        with self._changed:
            current = self.messages[(message["chat"]["id"], message["message_id"])]
            self.callback_answers[query_id] = None
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "chat_instance": f"ci{message['chat']['id']}",
                    "message": current,
                    "data": data,
                }
            }
        )
        return query_id

    def flood(
        self, method: str, times: int = 1, retry_after: int = 1, skip: int = 0, chat_id: int | None = None
    ) -> None:
        """Answer `times` calls of `method` (to `chat_id`), after `skip` of them, with 429 Too Many Requests."""
        self._inject(Fault("flood", method, chat_id, skip, times, retry_after=retry_after))

    def hold(self, method: str, skip: int = 0, chat_id: int | None = None) -> Hold:
        """Hold every call of `method` (to `chat_id`), after `skip` of them, until the hold is released."""
        fault = Fault("hold", method, chat_id, skip, times=None)
        fault.hold = Hold(self, fault)
        self._inject(fault)
        return fault.hold

    def lose_response(self, method: str, skip: int = 0, chat_id: int | None = None) -> None:
        """Handle one call of `method` (to `chat_id`), after `skip` of them, then close its connection
        without answering: the call took effect, but the bot cannot know."""
        self._inject(Fault("lose", method, chat_id, skip))

    def outage(self, method: str, seconds: float, skip: int = 0, chat_id: int | None = None) -> None:
        """After answering one call of `method` (to `chat_id`), after `skip` of them, refuse every connection
        for `seconds` (open connections are cut)."""
        self._inject(Fault("outage", method, chat_id, skip, seconds=seconds))

    def _inject(self, fault: Fault) -> None:
        with self._changed:
            self._faults.append(fault)

    # what tests observe

    def mark(self) -> int:
        """A position in the call log, for `wait` and `since`."""
        with self._changed:
            return len(self.calls)

    def since(self, mark: int, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Successful calls after `mark`, of a method and to a chat when given."""
        with self._changed:
            calls = self.calls[mark:]
        return [
            c
            for c in calls
            if c.ok and (method is None or c.method == method) and (chat_id is None or c.chat_id == chat_id)
        ]

    def wait(
        self, predicate: Callable[[Call], bool], since: int = 0, count: int = 1, timeout: float = 30
    ) -> list[Call]:
        """The first `count` successful calls after `since` matching `predicate`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls[since:] if c.ok and predicate(c)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {count} call(s); got {self.calls[since:]}")
                self._changed.wait(left)

    def wait_answer(self, query_id: str, timeout: float = 30) -> dict[str, Any]:
        """The bot's answerCallbackQuery for a pressed button."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.callback_answers.get(query_id) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"callback query {query_id} was never answered")
                self._changed.wait(left)
            return self.callback_answers[query_id]

    def message(self, call: Call) -> dict[str, Any]:
        """The current state of the message a sendMessage/sendDocument call made."""
        with self._changed:
            return self.messages[(call.result["chat"]["id"], call.result["message_id"])]

    def downloads(self) -> list[Call]:
        """File downloads the bot made."""
        with self._changed:
            return [c for c in self.calls if c.method == "download"]

    # internals

    def _user_message(
        self,
        user: dict[str, Any],
        chat: dict[str, Any] | None,
        extra: dict[str, Any],
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat = chat or self.chats[user["id"]]
        with self._changed:
            message = {
                "message_id": self._next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                **extra,
            }
            if reply_to is not None:
                message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
            self.messages[(chat["id"], message["message_id"])] = message
        self._push({"message": message})
        return message

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _push(self, update: dict[str, Any]) -> None:
        with self._changed:
            update = {"update_id": next(self._update_ids), **update}
            webhook = self.webhook
            if webhook is None:
                self._updates.append(update)
                self._changed.notify_all()
                return
        request = urllib.request.Request(
            webhook["url"],
            data=json.dumps(update).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": webhook.get("secret_token") or "",
            },
        )
        urllib.request.urlopen(request, timeout=10).close()

    def _serve(self, handler: _Handler) -> None:
        path = unquote(handler.path.split("?", 1)[0])
        if path.startswith(f"/file/bot{self.token}/"):
            self._download(handler, path.removeprefix(f"/file/bot{self.token}/"))
            return
        if not path.startswith(f"/bot{self.token}/"):
            handler.body()
            handler.send(401, json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode())
            return
        method = path.removeprefix(f"/bot{self.token}/")
        params, files = self._params(handler)
        call = Call(method, params, files)
        with self._changed:
            fault = next((f for f in self._faults if f.hits(method, params)), None)
            if fault is not None and fault.times == 0:
                self._faults.remove(fault)
            if fault is not None and fault.hold is not None and not fault.hold._block(call):
                call.error = "dropped unanswered"
                self.calls.append(call)
                self._changed.notify_all()
                handler.hang_up()
                return
        try:
            if fault is not None and fault.kind == "flood":
                raise ApiError(
                    429, f"Too Many Requests: retry after {fault.retry_after}", {"retry_after": fault.retry_after}
                )
            call.result = self._call(method, params, files)
        except ApiError as error:
            call.error = error.description
            body = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            status, payload = error.code, body
        else:
            status, payload = 200, {"ok": True, "result": call.result}
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if fault is not None and fault.kind == "lose":
            handler.hang_up()
        elif fault is not None and fault.kind == "outage":
            self._go_down(fault.seconds, keep=handler.connection)
            handler.send(status, json.dumps(payload).encode(), close=True)
        else:
            handler.send(status, json.dumps(payload).encode())

    def _download(self, handler: _Handler, file_path: str) -> None:
        with self._changed:
            content = next((c for c, _, p in self.files.values() if p == file_path), None)
            self.calls.append(
                Call("download", {"file_path": file_path}, error=None if content is not None else "not found")
            )
            self._changed.notify_all()
        handler.send(200 if content is not None else 404, content or b"", "application/octet-stream")

    @staticmethod
    def _params(handler: _Handler) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        body = handler.body()
        content_type = handler.headers.get("Content-Type", "")
        files: dict[str, tuple[str, bytes]] = {}
        if content_type.startswith("application/json"):
            return json.loads(body or b"{}"), files
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
            raw: dict[str, str] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files[name] = (part.get_filename(), payload)
                else:
                    raw[name] = payload.decode()
        else:
            raw = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                params[key] = value if key in RAW_FIELDS else json.loads(value)
            except ValueError:
                params[key] = value
        return params, files

    def _call(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params)
        with self._changed:
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            return handler(params, files)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                )
            offset = int(params.get("offset") or 0)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return self._updates[: int(params.get("limit") or 100)]

    # the Bot API methods (called with the lock held)

    def _api_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    def _api_setMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if (
                not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", ""))
                or not 1 <= len(command.get("description", "")) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands = commands
        return True

    def _api_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    def _api_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        plain = self._checked_text(params.get("text") or "", params.get("parse_mode"), MAX_TEXT, "message is too long")
        return self._store(chat, {"text": plain}, params)

    def _api_sendDocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        chat = self._chat(params)
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, content = files["document"]
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = (content, len(content), f"documents/{file_id}")
        extra: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": name,
                "file_size": len(content),
            }
        }
        if params.get("caption"):
            extra["caption"] = self._checked_text(
                params["caption"], params.get("parse_mode"), MAX_CAPTION, "message caption is too long"
            )
        return self._store(chat, extra, params)

    def _api_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        key, message = self._editable(params)
        html = params.get("text") or ""
        plain = self._checked_text(html, params.get("parse_mode"), MAX_TEXT, "message is too long")
        markup = self._markup(params)
        if html == self.html.get(key) and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        message.update(text=plain, edit_date=int(time.time()))
        self._set_markup(message, markup)
        self.html[key] = html
        return message

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        _, message = self._editable(params)
        markup = self._markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        self._set_markup(message, markup)
        return message

    def _api_leaveChat(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    def _api_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        if params.get("file_id") not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        _, size, file_path = self.files[params["file_id"]]
        if size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u{params['file_id']}",
            "file_size": size,
            "file_path": file_path,
        }

    # helpers for the methods

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(params.get("chat_id"))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    @staticmethod
    def _checked_text(html: str, parse_mode: str | None, limit: int, too_long: str) -> str:
        if parse_mode != "HTML":
            raise ApiError(400, f"Bad Request: the bot must send HTML (parse_mode={parse_mode!r})")
        try:
            plain = parse_html(html)
        except HtmlError as error:
            raise ApiError(400, f"Bad Request: {error}") from error
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return plain

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if not button.get("text") or (data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup or None

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    def _editable(self, params: dict[str, Any]) -> tuple[tuple[int, int], dict[str, Any]]:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return key, message

    def _store(self, chat: dict[str, Any], extra: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **extra,
        }
        self._set_markup(message, self._markup(params))
        replying = params.get("reply_parameters")
        if replying:
            target = self.messages.get((chat["id"], replying.get("message_id")))
            if target is not None:
                message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
            elif not replying.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        key = (chat["id"], message["message_id"])
        self.messages[key] = message
        self.html[key] = params.get("text") or params.get("caption") or ""
        return message
