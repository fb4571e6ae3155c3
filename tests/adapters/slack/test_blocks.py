"""The core's replies as Block Kit, and buttons back into commands."""

from __future__ import annotations

import pytest

from adapters.slack.blocks import (
    MAX_BLOCKS,
    MAX_SECTION_TEXT,
    FormContext,
    decode_action,
    encode_action,
    escape,
    met_fields,
    met_modal,
    modal_errors,
    pages,
    render,
    replace_follow_up,
)
from adapters.slack.limits import problems
from adapters.slack.testing import view_submission_payload
from bot.commands import Draft, MarkDone, Skip, Snooze, command_for
from bot.met import MetInput
from bot.replies import Action, ActionKind, Reply, Section
from rules.engine import Rulebook


def done(number: int, ident: int, label: str = "Done") -> Action:
    return Action(ActionKind.DONE, label, number, ident)


def test_escape() -> None:
    assert escape("AT&T <!channel> a>b") == "AT&amp;T &lt;!channel&gt; a&gt;b"


def test_sections_are_escaped_verbatim_mrkdwn_with_bold_titles() -> None:
    reply = Reply((Section("Jane <@U1> & co", title="#1 <!here>"),))
    message = render(reply)
    (block,) = message.blocks
    assert block["text"] == {
        "type": "mrkdwn",
        "text": "*#1 &lt;!here&gt;*\nJane &lt;@U1&gt; &amp; co",
        "verbatim": True,
    }
    assert message.text == "#1 &lt;!here&gt;"


def test_preformatted_text_is_a_code_block() -> None:
    (block,) = render(Reply((Section("Dear <Jane>,\nthanks", preformatted=True),))).blocks
    assert block["text"]["text"] == "```\nDear &lt;Jane&gt;,\nthanks\n```"


def test_long_text_is_split_into_sections_within_slacks_limit() -> None:
    line = "&" * 999  # 4995 characters escaped
    blocks = render(Reply((Section("\n".join([line, "short", line]), title="T"),))).blocks
    texts = [b["text"]["text"] for b in blocks]
    assert all(len(t) <= MAX_SECTION_TEXT for t in texts)
    joined = "".join(texts).replace("\n", "").removeprefix("*T*")
    assert joined == "&amp;" * 999 + "short" + "&amp;" * 999  # no entity cut in half


def test_buttons_one_row_per_follow_up_numbered_when_several() -> None:
    reply = Reply(
        (Section("x"),),
        (
            done(1, 11),
            Action(ActionKind.SNOOZE, "Snooze 2h", 1, 11, "2h"),
            done(2, 12),
            Action(ActionKind.SKIP, "Skip #2", 2, 12),
        ),
    )
    rows = [b for b in render(reply).blocks if b["type"] == "actions"]
    assert [r["block_id"] for r in rows] == ["fu:11", "fu:12"]
    labels = [[e["text"]["text"] for e in r["elements"]] for r in rows]
    assert labels == [["Done #1", "Snooze 2h #1"], ["Done #2", "Skip #2"]]
    ids = [e["action_id"] for r in rows for e in r["elements"]]
    assert len(set(ids)) == 4
    assert rows[0]["elements"][0]["style"] == "primary"
    assert rows[0]["elements"][1]["value"] == "snooze|11|1|2h"


def test_one_follow_ups_buttons_keep_their_labels() -> None:
    rows = [
        b for b in render(Reply((Section("x"),), (done(1, 11),))).blocks if b["type"] == "actions"
    ]
    assert rows[0]["elements"][0]["text"]["text"] == "Done"


def test_a_reply_too_big_for_a_message_is_paged_with_every_button() -> None:
    reply = Reply((Section("x"),), tuple(done(n, n) for n in range(1, 80)))
    shown = pages(reply)
    assert [len(page.blocks) for page in shown] == [MAX_BLOCKS, 30]
    for page in shown:
        assert problems(page.blocks, page.text) == []
    values = [e["value"] for page in shown for b in page.blocks for e in b.get("elements", [])]
    assert values == [encode_action(done(n, n)) for n in range(1, 80)]


def test_a_long_draft_is_split_into_closed_code_blocks_across_messages() -> None:
    draft = "\n".join(
        f"Line {n}: thank you for the chat about Kafka & on-call <3" for n in range(3000)
    )
    shown = pages(Reply((Section(draft, title="Draft", preformatted=True),)))
    assert len(shown) > 1
    lines: list[str] = []
    for page in shown:
        assert problems(page.blocks, page.text) == []
        for block in page.blocks:
            text = block["text"]["text"].removeprefix("*Draft*\n")
            assert text.startswith("```\n")
            assert text.endswith("\n```")
            lines += text.removeprefix("```\n").removesuffix("\n```").split("\n")
    assert lines == [escape(line) for line in draft.split("\n")]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "done",
        "done|1|2",
        "boom|1|1|",
        "done|x|1|",
        "done|1|1|<!channel>",
        "done|1|1|" + "a" * 41,
    ],
)
def test_values_this_bot_didnt_write_are_refused(value: str) -> None:
    assert decode_action(value) is None


def test_a_button_round_trips() -> None:
    action = Action(ActionKind.SNOOZE, "Tomorrow morning", 3, 17, "tomorrow")
    assert encode_action(action) == "snooze|17|3|tomorrow"
    # The value carries all but the label, which the click brings.
    assert decode_action(encode_action(action), "Tomorrow morning") == action


def clicked(kind: ActionKind, argument: str = "") -> Action | None:
    """The action a click on a button for follow-up #3 (id 17) sends back."""
    return decode_action(encode_action(Action(kind, "label", 3, 17, argument)))


def test_buttons_become_the_typed_commands_acting_on_their_id() -> None:
    actions = {
        kind: clicked(kind, argument)
        for kind, argument in [
            (ActionKind.DONE, ""),
            (ActionKind.SNOOZE, "2h"),
            (ActionKind.SKIP, "confirm"),
            (ActionKind.DRAFT, ""),
        ]
    }
    assert all(action is not None for action in actions.values())
    commands = {kind: command_for(action) for kind, action in actions.items() if action}
    assert commands == {
        ActionKind.DONE: MarkDone(3, follow_up_id=17),
        ActionKind.SNOOZE: Snooze(3, "2h", follow_up_id=17),
        ActionKind.SKIP: Skip(3, confirmed=True, follow_up_id=17),
        ActionKind.DRAFT: Draft(3, follow_up_id=17),
    }


def test_the_form_round_trips_to_met_input(rulebook: Rulebook) -> None:
    view = met_modal(rulebook, FormContext("C1", "https://hooks.slack.test/x"))
    payload = view_submission_payload(
        user_id="U1",
        view=view,
        values={"name": "Ana", "company": "Globex", "kind": "fair", "priority": "1"},
    )
    assert met_fields(payload["view"]) == MetInput(
        name="Ana", company="Globex", kind="fair", priority="1"
    )
    assert FormContext.decode(view["private_metadata"]) == FormContext(
        "C1", "https://hooks.slack.test/x"
    )
    assert FormContext.decode("not json") == FormContext()
    assert FormContext.decode("[1]") == FormContext()


def test_modal_errors_by_field_escaped() -> None:
    reply = Reply((Section("x"),), is_error=True, field_errors={"kind": "“<!here>” isn't a kind"})
    assert modal_errors(reply) == {"kind": "“&lt;!here&gt;” isn't a kind"}
    assert modal_errors(Reply.error("<b>oops</b>")) == {"name": "&lt;b&gt;oops&lt;/b&gt;"}


def test_a_click_replaces_only_its_follow_ups_part() -> None:
    nudge = render(
        Reply((Section("about both", title="#1 and #2"),), (done(1, 11), done(2, 12)))
    ).blocks
    first = replace_follow_up(nudge, 11, Reply.text("Done: #1."))
    assert [b.get("block_id") for b in first] == [None, "fu:11:result:0", "fu:12"]
    assert first[1]["text"]["text"] == "Done: #1."
    # Clicking again on the same follow-up replaces its earlier result, in the same place.
    again = replace_follow_up(first, 11, Reply.text("#1 is already done."))
    assert [b.get("block_id") for b in again] == [None, "fu:11:result:0", "fu:12"]
    assert again[1]["text"]["text"] == "#1 is already done."


@pytest.mark.parametrize("ticks", ["```", "````", "`````", "``"])
def test_nothing_in_a_draft_can_close_its_code_block(ticks: str) -> None:
    reply = Reply((Section(f"Hello {ticks} *bold* <!channel>", preformatted=True),))
    text = str(render(reply).blocks)
    assert text.count("```") == 2  # the block's own fences, and nothing else
    assert "<!channel>" not in text
