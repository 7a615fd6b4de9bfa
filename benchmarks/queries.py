"""1,000,000 stored comments on PostgreSQL: the inventory and queue queries with the indexes
of migration 0007_perf, each with its EXPLAIN ANALYZE, plus the approval queue rebuilt for real.

Builds a throw-away database `tanggap_bench_<random>` on the local server (dropped at the end):
five channels, one check per 100 comments, 99.9 % of the cases archived (half of them with a
published reply), the rest new, waiting, approved or failing.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get("TANGGAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

CHANNELS = """
INSERT INTO channel (key, kind, name, created_at)
  SELECT 'kanal-' || g, (ARRAY['wordpress','facebook','instagram','youtube','x'])[g], 'Kanal ' || g, now()
  FROM generate_series(1, 5) g;
INSERT INTO check_run (started_at, finished_at, seen_count, new_count, errors)
  SELECT now() - (:checks - g) * interval '10 minutes', now() - (:checks - g) * interval '10 minutes', 100, 100, '{}'
  FROM generate_series(1, :checks) g
"""
# Columns set per generated row; every other column is copied from one template row written
# through the models (so new columns with defaults need no change here).
COMMENT_VALUES = {
    "channel_id": "1 + g % 5", "external_id": "g::text", "thread_id": "(g % 997)::text",
    "author_name": "'Peserta ' || g", "text": "'Kapan jadwal pelatihan angkatan ' || g || ' dibuka? Terima kasih.'",
    "posted_at": "now() - (:rows - g) * interval '6 seconds'", "raw_payload": "json_build_object('id', g)",
    "found_at": "now() - (:rows - g) * interval '6 seconds'", "check_run_id": "1 + (g - 1) / 100",
    "status": "CASE WHEN g > :rows - 50 THEN 'new' WHEN g > :rows - 550 THEN 'awaiting_correction' "
              "WHEN g > :rows - 650 THEN 'awaiting_decision' WHEN g > :rows - 700 THEN 'approved' ELSE 'archived' END",
    "respond_flow_run_id": "CASE WHEN g > :rows - 50 THEN NULL ELSE md5(g::text) END",
    "last_error": "CASE WHEN g > :rows - 700 AND g <= :rows - 50 AND g % 3 = 0 THEN 'HTTP 503 dari platform' END",
}
PUBLICATION_VALUES = {
    "comment_id": "c.id", "channel_id": "c.channel_id", "external_reply_id": "'r' || c.id",
    "intent_at": "c.found_at", "published_at": "c.found_at",
}


def _clone(table, template_id: int, values: dict, source: str) -> str:
    columns = [column.name for column in table.columns if column.name != "id"]
    chosen = ", ".join(values.get(name, f"t.{name}") for name in columns)
    return (f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {chosen} FROM {source} "
            f"CROSS JOIN (SELECT * FROM {table.name} WHERE id = {template_id}) t")


def fill(engine, rows: int) -> None:
    """Channels, checks, `rows` comments and a published reply for half of the archived ones."""
    from sqlalchemy.orm import Session

    from db.models import Comment, Publication

    with engine.begin() as connection:
        for statement in CHANNELS.split(";\n"):
            connection.execute(text(statement), {"checks": max(1, rows // 100)})
    with Session(engine) as session, session.begin():  # one row of each through the models
        comment = Comment(channel_id=1, external_id="template", thread_id="0", author_name="-", text="-",
                          posted_at=datetime.now(timezone.utc), raw_payload={}, category="umum")
        session.add(comment)
        session.flush()
        publication = Publication(comment_id=comment.id, channel_id=1, text="Terima kasih, jadwal diumumkan.",
                                  attempts=1)
        session.add(publication)
        session.flush()
        templates = comment.id, publication.id
    with engine.begin() as connection:
        connection.execute(text(_clone(Comment.__table__, templates[0], COMMENT_VALUES,
                                       "generate_series(1, :rows) g")), {"rows": rows})
        connection.execute(text(_clone(Publication.__table__, templates[1], PUBLICATION_VALUES,
                                       "comment c") + " WHERE c.status = 'archived' AND c.id % 2 = 0"))
        connection.execute(text(f"DELETE FROM publication WHERE id = {templates[1]}"))
        connection.execute(text(f"DELETE FROM comment WHERE id = {templates[0]}"))


# Each query as the named function issues it (SQLAlchemy renders the same shapes).
QUERIES = {
    "antrean: kasus menunggu (tasks/approval_queue.py refresh_approval_queue)":
        "SELECT * FROM comment WHERE status IN ('awaiting_correction', 'awaiting_decision') ORDER BY found_at",
    "antrean: kasus bermasalah (refresh_approval_queue)":
        "SELECT * FROM comment WHERE last_error IS NOT NULL AND status <> 'archived' ORDER BY id",
    "inventaris: satu pemeriksaan (tasks/inventory.py publish_inventory)":
        "SELECT * FROM comment WHERE check_run_id = (SELECT max(id) FROM check_run) ORDER BY posted_at",
    "simpan: sudah dikenal? (store_comments, 100 id)":
        "SELECT external_id FROM comment WHERE channel_id = 2 AND external_id IN ({ids})",
    "simpan: balasan kita? (store_comments, 100 id)":
        "SELECT external_reply_id FROM publication WHERE channel_id = 2 AND external_reply_id IN ({reply_ids})",
    "kasus baru tanpa run (tasks/respond_runs.py start_respond_runs)":
        "SELECT comment.id, channel.key, comment.external_id, comment.found_at FROM comment JOIN channel "
        "ON channel.id = comment.channel_id WHERE comment.status = 'new' AND comment.respond_flow_run_id IS NULL "
        "ORDER BY comment.id",
    "kasus terbuka dengan run (restart_stalled_cases)":
        "SELECT id, respond_flow_run_id, retry_at FROM comment WHERE status <> 'archived' "
        "AND respond_flow_run_id IS NOT NULL",
}


def measure(rows: int = 1_000_000) -> dict:
    name = f"tanggap_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    os.environ["TANGGAP_DATABASE_URL"] = url
    try:
        from db.session import get_engine, migrate
        from tasks.approval_queue import refresh_approval_queue

        migrate(url)
        engine = get_engine(url)
        started = time.perf_counter()
        fill(engine, rows)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        fill_seconds = time.perf_counter() - started
        ids = ", ".join(f"'{n}'" for n in range(rows - 99 * 5, rows + 1, 5))
        reply_ids = ", ".join(f"'r{n}'" for n in range(rows - 2000, rows - 1000, 10))
        results = {}
        with engine.connect() as connection:
            count = connection.scalar(text("SELECT count(*) FROM comment"))
            indexes = connection.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('comment', 'publication') "
                "ORDER BY tablename, indexname")).all()
            for title, query in QUERIES.items():
                sql = query.format(ids=ids, reply_ids=reply_ids)
                connection.execute(text(sql)).all()  # warm the cache like a running installation
                plan = [line for (line,) in connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))]
                took = float(next(line for line in plan if line.startswith("Execution Time")).split()[2]) / 1000
                results[title] = {"seconds": took, "plan": plan}
        started = time.perf_counter()
        waiting = refresh_approval_queue()  # the real function: queries, Markdown for every waiting case
        queue_seconds = time.perf_counter() - started
        return {"rows": count, "fill_seconds": fill_seconds, "queries": results, "indexes": indexes,
                "queue_function_seconds": queue_seconds, "queue_waiting": waiting}
    finally:
        from db.session import get_engine

        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    found = measure(parser.parse_args().rows)
    for title, result in found["queries"].items():
        print(f"{result['seconds'] * 1000:8.1f} ms  {title}")
    print(found["queue_function_seconds"], found["fill_seconds"])
