"""The SQLite engine: one aiosqlite connection (`database`), its numbered migrations (`migrations/`),
the one-bot-per-file lock (`lock`), online backups (`backup`), and one repository module per feature
implementing that feature's repository protocol. Only `bot/stores.py` picks these."""
