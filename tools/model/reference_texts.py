"""The texts of the embedding reference fixture, each tagged with the case it covers.

The first eight sentences are those of the shared reference-token-ids.json, so the fixture's token
ids can be checked against that independent tokenizer run.
"""

from __future__ import annotations

EVENT_DRIVEN = (
    "Event-driven architectures decouple the producers of information from the consumers that act on it. "
    "In a typical pipeline, a service publishes an event whenever something interesting happens, such as a "
    "document being uploaded, a customer placing an order, or a sensor reporting a new measurement. Downstream "
    "workers subscribe to those events, perform their own processing, and often emit new events in turn. This "
    "style of design makes it easy to add new capabilities without modifying existing services, because a new "
    "consumer can simply listen to an existing stream. It also improves resilience: if one worker slows down or "
    "crashes, the events wait in a durable queue until the worker recovers, and nothing is lost. However, the "
    "approach introduces its own challenges. Messages may arrive more than once, so handlers must be idempotent. "
    "Ordering is only guaranteed within a partition, so related events need a consistent key. Observability "
    "becomes harder, because a single user request may fan out into dozens of asynchronous steps spread across "
    "many machines, and tracing identifiers must be propagated carefully through every hop. Schema evolution "
    "requires discipline, since old and new versions of an event may coexist for weeks. Backpressure must be "
    "handled so that a burst of traffic does not overwhelm slower stages. Finally, testing an event-driven system "
    "end to end calls for realistic fixtures, deterministic clocks, and a way to replay recorded streams. Teams "
    "that invest in these practices find that the architecture scales gracefully as both traffic and the number "
    "of features grow over time, while teams that skip them often struggle with subtle bugs that only appear "
    "under load in production environments."
)

# (kind, text)
TEXTS: list[tuple[str, str]] = [
    ("sentence", "A man is eating food."),
    ("sentence", "A man is eating a piece of bread."),
    ("sentence", "The girl is carrying a baby."),
    ("one-letter", "a"),
    ("unicode-emoji-cjk-accents", "Café déjà vu: naïve résumé in 東京 🚀🔥 — emoji & unicode ✓"),
    ("code", "function add(a, b) {\n  return a + b; // sum two numbers\n}\nconsole.log(add(2, 3));"),
    ("sentence", "Qdrant stores 384-dimensional vectors so that similar sentences can be found quickly."),
    ("long-over-256", EVENT_DRIVEN),
    ("one-word", "Hello"),
    ("one-word-split", "embeddings"),
    ("question", "How do I reset my password?"),
    ("cjk-japanese", "東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。"),
    ("cjk-chinese", "机器学习是人工智能的一个分支，它使计算机能够从数据中学习。"),
    ("hangul", "한국어 문장도 처리할 수 있습니다."),
    ("accented", "Crème brûlée, jalapeño, Ångström, São Paulo, Zürich, façade, Øresund, Łódź."),
    ("cyrillic", "Быстрая коричневая лиса прыгает через ленивую собаку."),
    ("greek", "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο."),
    ("arabic", "مرحبا بالعالم، هذه جملة للاختبار."),
    ("emoji-only", "🚀🔥👍🏽 ❤️ 🇫🇷"),
    ("whitespace-heavy", "   leading   and\t\ttabbed   words\n\n\n  across   several\r\n lines   "),
    ("zero-width-and-control", "zero\u200bwidth join\u200dhere, soft\u00adhyphen and a bell\u0007 char"),
    ("numbers", "In 2023 revenue grew 12.5% to $3,141,592.65 (1e-9 tolerance); call +1-800-555-0199 by 23:59."),
    ("code-python", "def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"),
    ("code-sql", "SELECT id, name FROM users WHERE created_at >= '2024-01-01' ORDER BY name DESC LIMIT 10;"),
    ("url-mixed-case", "Visit https://Example.com/Docs?q=Vector+Search&lang=EN#Top for the API REFERENCE."),
    ("long-cjk-over-256", "向量数据库用于存储和检索高维嵌入。" * 20),
    ("long-numbers-over-256", " ".join(str(7 ** i % 100003) for i in range(300))),
    ("whitespace-only", " \t\n  "),
    ("empty", ""),
]
