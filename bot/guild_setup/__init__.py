"""Server set-up: validate what an admin gives `/nexus setup` (`service`) and keep the configuration
(`model`, stored through the `repository` protocol)."""
