"""The Slack adapter: slash commands, a /met form and DM nudges with buttons, on slack-bolt.

It translates and delegates, nothing more: Slack payloads become core commands for the verified
team and user, the core's neutral replies become Block Kit (every user string escaped), and
`SlackMessenger` implements the `Messenger` port. `SlackRuntime` (runtime.py) is what
`followup-bot run` starts.
"""

# The platform in every Slack person's address; the dispatcher's pacing rules use it too.
PLATFORM = "slack"
