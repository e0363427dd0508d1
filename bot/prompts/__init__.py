"""Weekly prompts (no Discord UI here): the model, what admins type (`parsing`), texts with
placeholders (`template`), the shipped defaults (`defaults`), when each is posted (`schedule`),
the scheduler's source of due prompts (`source`), what they ask of the database (`repository`)
and what admins do (`service`)."""
