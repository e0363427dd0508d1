"""PostgreSQL, selected by DATABASE_URL=postgresql://… (needs the extra nexus-bot[postgres]: asyncpg).

Imported only when DATABASE_URL asks for it, so a SQLite-only installation never needs asyncpg.
"""

from bot.db.postgres.database import PostgresDatabase, PostgresTransaction, describe_url

__all__ = ["PostgresDatabase", "PostgresTransaction", "describe_url"]
