"""Projects: what a learner announces with `/project announce` (model, validation, service; no Discord UI)."""
