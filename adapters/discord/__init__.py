"""The Discord adapter (discord.py 2.x): app commands, a form and persistent DM buttons in front
of the core, and the `Messenger` that sends nudges as DMs. `runtime.DiscordRuntime` starts it."""

# The platform in every Discord person's address; the dispatcher's pacing rules use it too.
PLATFORM = "discord"
