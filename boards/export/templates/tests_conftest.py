import os

# Small test brokers: with Kafka's default session timeout a consumer's first group join takes
# about 23 s; with 6 s it takes about 3 s.
os.environ.setdefault("KAFKA_SESSION_TIMEOUT_MS", "6000")
