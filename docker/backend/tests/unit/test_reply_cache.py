"""The reply cache never holds a request up or fails it: a Redis that does not answer, or
an entry it cannot read, is a miss."""

import asyncio
import time

import pytest
from redis.asyncio import Redis

from papertrade import reply_cache
from papertrade.idempotency import Recorded, StoredResponse
from papertrade.reply_cache import ReplyCache

pytestmark = pytest.mark.anyio

RECORDED = Recorded("fingerprint", StoredResponse(201, {"id": 1}), 60)


async def silent_server() -> asyncio.Server:
    """Accepts connections and never answers, like a paused Redis."""

    async def ignore(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    return await asyncio.start_server(ignore, "127.0.0.1", 0)


async def test_a_redis_that_does_not_answer_is_a_miss_within_the_timeout():
    server = await silent_server()
    port = server.sockets[0].getsockname()[1]
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=30)
    started = time.monotonic()
    try:
        assert await ReplyCache(redis).get("key") is None
        await ReplyCache(redis).put("key", RECORDED)
    finally:
        await redis.aclose()
        server.close()
    assert time.monotonic() - started < 2 * reply_cache.TIMEOUT_SECONDS + 1


async def test_a_refused_connection_is_a_miss():
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        assert await ReplyCache(redis).get("key") is None
        await ReplyCache(redis).put("key", RECORDED)
    finally:
        await redis.aclose()


class FakeRedis:
    """Just enough of redis.asyncio.Redis for the cache: a pipeline of GET and TTL."""

    def __init__(self, stored: str | None) -> None:
        self.stored = stored

    def pipeline(self, transaction: bool):
        return FakePipeline(self.stored)


class FakePipeline:
    def __init__(self, stored: str | None) -> None:
        self.stored = stored

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info) -> None:
        return None

    def get(self, name: str):
        return self

    def ttl(self, name: str):
        return self

    async def execute(self):
        return [self.stored, 42]


@pytest.mark.parametrize(
    "stored", ["not json", '{"fingerprint": "f"}', "[1, 2]", '{"status_code": 201}']
)
async def test_an_entry_this_code_did_not_write_is_a_miss(stored):
    assert await ReplyCache(FakeRedis(stored)).get("key") is None


async def test_a_cached_entry_is_read_back_with_its_time_left():
    stored = '{"fingerprint": "f", "status_code": 201, "body": {"id": 1}}'
    recorded = await ReplyCache(FakeRedis(stored)).get("key")
    assert recorded == Recorded("f", StoredResponse(201, {"id": 1}), 42)
