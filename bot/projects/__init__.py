"""Projects: what a learner announces with `/project announce` (model, validation, the repository protocol,
service; no Discord UI)."""
