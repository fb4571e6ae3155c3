"""The Discord adapter (discord.py 2.x): app commands, a form and persistent DM buttons in front
of the core, and the `Messenger` that sends nudges as DMs. `runtime.DiscordRuntime` starts it."""
