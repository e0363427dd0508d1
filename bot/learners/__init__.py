"""The facts about a server's learners that every feature shows (see `service`)."""
