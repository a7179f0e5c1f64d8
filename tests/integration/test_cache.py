"""The page-data cache works on the simple, filesystem and Redis back ends."""

from __future__ import annotations

import redis

from dashboard.core.settings import Settings
from dashboard.infra.cache import cache, cached
from dashboard.web.factory import create_app


def _exercise(settings: Settings) -> None:
    app = create_app(settings)
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"answer": 42}

    with app.server.app_context():
        assert cached("test:key", compute) == {"answer": 42}
        assert cached("test:key", compute) == {"answer": 42}
        assert calls == [1], "the second read is served from the cache"
        cache.delete("test:key")


def test_simple_cache(sqlite_url):
    _exercise(Settings(database_url=sqlite_url, cache_type="simple"))


def test_filesystem_cache(sqlite_url, tmp_path):
    _exercise(
        Settings(database_url=sqlite_url, cache_type="filesystem", cache_dir=str(tmp_path / "c"))
    )


def test_redis_cache_stores_entries_in_redis(sqlite_url, redis_url, redis_key_prefix):
    settings = Settings(
        database_url=sqlite_url,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
    )
    app = create_app(settings)
    with app.server.app_context():
        cached("test:redis", lambda: [1, 2, 3])
    client = redis.Redis.from_url(redis_url)
    assert client.exists(redis_key_prefix + "test:redis") == 1
    with app.server.app_context():
        assert cached("test:redis", lambda: ["recomputed"]) == [1, 2, 3]


def test_redis_url_in_the_environment_selects_redis(redis_url):
    settings = Settings.from_env({"CACHE_REDIS_URL": redis_url})
    assert settings.cache_type == "redis"
    assert settings.cache_redis_url == redis_url
