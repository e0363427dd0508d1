"""The knowledge base: topic files, their sync into SQLite, ranked search, suggestions.

`service.KnowledgeService` is the entry point for the bot; `cli.run` for `python -m bot kb`. This
package knows nothing of Discord.
"""
