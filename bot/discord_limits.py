"""Discord's size limits, defined once: the cogs keep to them when they render, and `kb check`
measures topics against them (https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
.../interactions/message-components, .../interactions/receiving-and-responding)."""

MESSAGE_CONTENT_LIMIT = 2000
TITLE_LIMIT = 256  # embed title
DESCRIPTION_LIMIT = 4096  # embed description
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000  # all of an embed's text together
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
CHOICE_NAME_LIMIT = 100  # an autocomplete or option choice's name
MAX_CHOICES = 25  # autocomplete answers at most this many
TEXT_INPUT_LIMIT = 4000  # a form's (modal's) text field
THREAD_NAME_LIMIT = 100
