"""What both engines' repositories of a feature share, one module per feature: turning rows into
models, shaping results, checks and constants, and the statements both engines run alike, written
once with SQLite's `?` (PostgreSQL's repositories number them with
`bot.db.postgres.placeholders.numbered`). No driver here: these modules import only models, the
standard library, `bot.clock` and `bot.db.common`; running a statement stays in each engine's
repository (bot/db/sqlite/, bot/db/postgres/)."""
