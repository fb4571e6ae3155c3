"""An export's files, shared with the student alone: uploaded into their DM with the app
(files.getUploadURLExternal, the upload, files.completeUploadExternal, as slack_sdk's
files_upload_v2 does them), since a slash command's ephemeral answer can't carry files."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.replies import Reply, Section

__all__ = ["share_privately"]

log = logging.getLogger(__name__)

SHARED = "I sent the files to you in a direct message with me: only you can see them."
NOT_SHARED = (
    "I couldn't send you the files just now (Slack said no). Nothing was changed; please try "
    "/followups export again in a minute."
)


async def share_privately(client: AsyncWebClient, user_id: str, reply: Reply) -> Reply:
    """Upload `reply`'s files into the DM with `user_id`; the reply to show, saying where they
    went (or that they couldn't go)."""
    if not reply.files:
        return reply
    try:
        opened = await client.conversations_open(users=user_id)
        channel = opened["channel"]["id"]
        await client.files_upload_v2(
            channel=channel,
            file_uploads=[
                {"content": f.content, "filename": f.name, "title": f.name} for f in reply.files
            ],
            initial_comment="Your data, as you asked with /followups export.",
        )
    except (SlackApiError, SlackRequestError) as err:
        # Its type only: the text may quote the request.
        log.warning("Slack: sharing an export failed with %s", type(err).__name__)
        return Reply.error(NOT_SHARED)
    return Reply((*reply.sections, Section(SHARED)))
