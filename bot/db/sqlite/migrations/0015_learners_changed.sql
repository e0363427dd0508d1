-- PostgreSQL's 0015 makes every change of a server's learners NOTIFY the other processes on the
-- database, which forget what they prepared of that server. A SQLite file is one process's (the
-- lock in bot/db/sqlite/lock.py): it knows its own changes, so here there is nothing to make. The
-- migration is kept so both engines' schema versions count alike.
SELECT 1;
