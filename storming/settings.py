"""Settings for Storming. Every knob comes from the environment and has a working default."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from storming import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# SECRET_KEY: see "Safe by default" at the end.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "boards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "boards.security.SecurityHeaders",
    "boards.outage.DatabaseOutage",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "storming.urls"
ASGI_APPLICATION = "storming.asgi.application"
WSGI_APPLICATION = "storming.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Keep database connections between requests and op batches; the health check replaces one
# that went stale. On PostgreSQL a new connection is a new backend process; on SQLite, opening
# one (and setting its pragmas) for every op frame took 15 % of the server's CPU.
CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
# SQLite's fsync policy (WAL). FULL syncs every commit, so an acked op survives an OS crash or a
# power cut; NORMAL survives a crash of the server only, and is faster on slow disks. The writer
# batches ops into one commit, so FULL costs one fsync a batch. See "Durability" in the README.
SQLITE_SYNCHRONOUS = os.environ.get("STORMING_SQLITE_SYNCHRONOUS", "FULL").upper()
if SQLITE_SYNCHRONOUS not in ("NORMAL", "FULL"):
    raise ImproperlyConfigured(f"STORMING_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {SQLITE_SYNCHRONOUS!r}")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # One writer at a time: take the write lock at BEGIN so that two
                # transactions never deadlock upgrading a read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};",
            },
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
# With Redis: `pubsub` serves the fan-out best (docs/performance.md); `core` keeps messages in
# Redis for a consumer that is briefly away.
REDIS_CHANNEL_LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
CHANNEL_LAYER_BACKEND = os.environ.get("CHANNEL_LAYER") or "pubsub"
if CHANNEL_LAYER_BACKEND not in REDIS_CHANNEL_LAYERS:
    raise ImproperlyConfigured(f"CHANNEL_LAYER must be pubsub or core, not {CHANNEL_LAYER_BACKEND!r}")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": REDIS_CHANNEL_LAYERS[CHANNEL_LAYER_BACKEND],
            # redis-py 8 gives up on a read after 5 s by default, exactly when channels_redis's
            # blocking receive (BZPOPMIN, 5 s) answers "nothing yet": the two race, and a loss
            # kills the socket. Reads wait longer than that receive.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10}], "capacity": 2000, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 2000}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
# Let Daphne serve /static/ itself (no separate web server); turn off behind a CDN or proxy.
SERVE_STATIC = env_bool("SERVE_STATIC", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Limits on what a client may send (see boards/protocol.py).
STORMING_MAX_FRAME_BYTES = env_int("STORMING_MAX_FRAME_BYTES", 64 * 1024)
STORMING_PRESENCE_TICK_MS = env_int("STORMING_PRESENCE_TICK_MS", 50)
# Ops a second (average, burst) one participant may send to a board, across reconnects, and one
# board may take from all of them.
STORMING_CONNECTION_OPS_PER_SECOND = env_int("STORMING_CONNECTION_OPS_PER_SECOND", 50)
STORMING_CONNECTION_OPS_BURST = env_int("STORMING_CONNECTION_OPS_BURST", 500)
STORMING_BOARD_OPS_PER_SECOND = env_int("STORMING_BOARD_OPS_PER_SECOND", 600)
STORMING_BOARD_OPS_BURST = env_int("STORMING_BOARD_OPS_BURST", 3000)
# Budgets of the live layer (docs/protocol.md): ops over HTTP per key and board; cursor, preview
# and viewport frames per participant (each kind) and per board; sync per participant; every
# frame of one socket before it is read; bytes a socket may leave unread; seconds to say hello,
# and to read a backlog.
STORMING_HTTP_OPS_PER_SECOND = env_int("STORMING_HTTP_OPS_PER_SECOND", 20)
STORMING_HTTP_OPS_BURST = env_int("STORMING_HTTP_OPS_BURST", 200)
STORMING_VOLATILE_PER_SECOND = env_int("STORMING_VOLATILE_PER_SECOND", 30)
STORMING_VOLATILE_BURST = env_int("STORMING_VOLATILE_BURST", 60)
STORMING_BOARD_VOLATILE_PER_SECOND = env_int("STORMING_BOARD_VOLATILE_PER_SECOND", 10000)
STORMING_BOARD_VOLATILE_BURST = env_int("STORMING_BOARD_VOLATILE_BURST", 20000)
STORMING_SYNC_PER_SECOND = env_int("STORMING_SYNC_PER_SECOND", 2)
STORMING_SYNC_BURST = env_int("STORMING_SYNC_BURST", 10)
STORMING_SOCKET_FRAMES_PER_SECOND = env_int("STORMING_SOCKET_FRAMES_PER_SECOND", 200)
STORMING_SOCKET_FRAMES_BURST = env_int("STORMING_SOCKET_FRAMES_BURST", 400)
STORMING_SOCKET_SEND_BUDGET = env_int("STORMING_SOCKET_SEND_BUDGET", 1024 * 1024)
STORMING_HELLO_SECONDS = env_int("STORMING_HELLO_SECONDS", 10)
STORMING_SLOW_READER_SECONDS = env_int("STORMING_SLOW_READER_SECONDS", 30)
# Every this many seconds (0: never) a server process writes its live registries' sizes to stderr
# (bench/soak.py reads them).
STORMING_LIVE_STATS_SECONDS = env_int("STORMING_LIVE_STATS_SECONDS", 0)

KAFKA_BOOTSTRAP_SERVERS = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}

# --- Size budgets (boards/domain/budgets.py; docs/protocol.md "Budgets: sizes") ---
# Checked before anything is stored; a refusal is `too_large` and names the limit. A board's
# snapshot is at most MAX_BOARD_BYTES + MAX_ELEMENTS x 120 B + a few KiB: keep that under the
# largest message the server may send (Daphne's --websocket-max-message-size, 32 MiB in the Makefile).
STORMING_MAX_TEXT = env_int("STORMING_MAX_TEXT", 2000)  # characters of a sticky's text or a field's doc
STORMING_MAX_NAME = env_int("STORMING_MAX_NAME", 200)  # characters of a board or frame name, a link label...
STORMING_MAX_FIELDS = env_int("STORMING_MAX_FIELDS", 100)  # fields on one sticky
STORMING_MAX_ENUM_VALUES = env_int("STORMING_MAX_ENUM_VALUES", 100)  # values of one enum field
STORMING_MAX_ELEMENT_BYTES = env_int("STORMING_MAX_ELEMENT_BYTES", 32 * 1024)  # one element in a message
STORMING_MAX_OP_BYTES = env_int("STORMING_MAX_OP_BYTES", 64 * 1024)  # one op's data, socket or HTTP
STORMING_MAX_ELEMENTS = env_int("STORMING_MAX_ELEMENTS", 20_000)  # stickies, frames and links on a board
STORMING_MAX_BOARD_BYTES = env_int("STORMING_MAX_BOARD_BYTES", 24 * 1024 * 1024)  # a board's elements and dots
STORMING_MAX_COMMENTS = env_int("STORMING_MAX_COMMENTS", 5000)  # comments on one board
STORMING_MAX_COMMENTS_PER_STICKY = env_int("STORMING_MAX_COMMENTS_PER_STICKY", 200)  # comments on one sticky
# A stored snapshot (for the history) at most once every this many events, when the events logged
# since the last one take this share of the board's size: disk stays in proportion to the log.
STORMING_SNAPSHOT_EVERY = env_int("STORMING_SNAPSHOT_EVERY", 300)
STORMING_SNAPSHOT_LOG_PERCENT = env_int("STORMING_SNAPSHOT_LOG_PERCENT", 100)

# --- The board's event stream on Kafka (boards/relay.py, `manage.py relay_board_events`) ---
# The topic every board's event log is published to, keyed by board id.
STORMING_RELAY_TOPIC = os.environ.get("STORMING_RELAY_TOPIC", "storming.board-events")
# Used only when the relay has to create the topic; -1 takes the cluster's default replication.
STORMING_RELAY_PARTITIONS = env_int("STORMING_RELAY_PARTITIONS", 3)
STORMING_RELAY_REPLICATION_FACTOR = env_int("STORMING_RELAY_REPLICATION_FACTOR", -1)
# Events of one board sent per pass before the relay records its progress.
STORMING_RELAY_BATCH_SIZE = env_int("STORMING_RELAY_BATCH_SIZE", 500)

# Participant identities (boards.identity): how many new ones one client address may take on
# one board within the window. People who reload keep theirs; this bounds made-up voters.
STORMING_NEW_PARTICIPANTS_PER_ADDRESS = env_int("STORMING_NEW_PARTICIPANTS_PER_ADDRESS", 60)
STORMING_NEW_PARTICIPANTS_WINDOW = env_int("STORMING_NEW_PARTICIPANTS_WINDOW", 3600)
# Past this many identities on a board, issuing a new one prunes those that count for nothing.
STORMING_PARTICIPANTS_PER_BOARD = env_int("STORMING_PARTICIPANTS_PER_BOARD", 1000)

# --- Safe by default: the secret key, TLS behind a proxy, login throttling, exports ----------
# (storming/secret_key.py, boards/deployment.py, boards/login_throttle.py, boards/export/runner.py)

# What the server keeps on disk besides the database: today its generated SECRET_KEY.
STORMING_DATA_DIR = Path(os.environ.get("STORMING_DATA_DIR") or BASE_DIR / "var")
# Without SECRET_KEY the server makes a random one on first start and keeps it (mode 0600) in
# STORMING_DATA_DIR: never a published key. Machines that share boards need the same SECRET_KEY.
STORMING_SECRET_KEY_GENERATED = not os.environ.get("SECRET_KEY")
SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key.load_or_create(STORMING_DATA_DIR)

# Served over HTTPS by a proxy in front (or Daphne itself): cookies only over TLS, HSTS, and
# plain HTTP redirected. `manage.py check --deploy` warns while this is off.
STORMING_BEHIND_TLS = env_bool("STORMING_BEHIND_TLS", False)
if STORMING_BEHIND_TLS:
    # The header the proxy sets to say the request came over HTTPS; empty when Daphne
    # terminates TLS itself (then no header is trusted: anyone could send it).
    _tls_header = os.environ.get("STORMING_TLS_PROXY_HEADER", "X-Forwarded-Proto")
    if _tls_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _tls_header.upper().replace("-", "_"), "https")
    SECURE_SSL_REDIRECT = env_bool("STORMING_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("STORMING_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("STORMING_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("STORMING_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Failed sign-ins allowed per username and per client address within the window; past that,
# sign-in is refused (429) until the window ends. Counted in the cache (Redis when REDIS_URL is set).
STORMING_LOGIN_FAILURES_PER_USERNAME = env_int("STORMING_LOGIN_FAILURES_PER_USERNAME", 5)
STORMING_LOGIN_FAILURES_PER_ADDRESS = env_int("STORMING_LOGIN_FAILURES_PER_ADDRESS", 20)
STORMING_LOGIN_WINDOW_SECONDS = env_int("STORMING_LOGIN_WINDOW_SECONDS", 15 * 60)
# Behind a proxy every request comes from the proxy's address: name the header in which the
# proxy passes the client's (its last value is used: the one the proxy itself added).
STORMING_CLIENT_ADDRESS_HEADER = os.environ.get("STORMING_CLIENT_ADDRESS_HEADER", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "storming",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }

# Exports run in a worker process (boards/export/runner.py): at most this many at once per server
# process; a request waits this long before "still being built, try again" (503); a build is
# stopped after the timeout (413); finished exports are kept per board version and options.
STORMING_EXPORT_WORKERS = env_int("STORMING_EXPORT_WORKERS", 1)
STORMING_EXPORT_WAIT_SECONDS = env_int("STORMING_EXPORT_WAIT_SECONDS", 10)
STORMING_EXPORT_TIMEOUT_SECONDS = env_int("STORMING_EXPORT_TIMEOUT_SECONDS", 120)
STORMING_EXPORT_CACHE_MB = env_int("STORMING_EXPORT_CACHE_MB", 64)
