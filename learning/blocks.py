"""StreamField blocks for lessons: the body, and the knowledge check's questions.

A question's correct answers live in the page's content and are only ever
read on the server (``learning.services.knowledge_check_submit``); the
templates that render questions show each choice's text and nothing else.
"""

import math

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.embeds.blocks import EmbedBlock

from blog.blocks import WORDS_PER_MINUTE, CodeBlock, ImageBlock

# A reader needs about half a minute to read, think about and answer a question.
SECONDS_PER_QUESTION = 30


class CalloutBlock(blocks.StructBlock):
    """A tip or a warning set apart from the text."""

    kind = blocks.ChoiceBlock(choices=[("tip", "Tip"), ("warning", "Watch out")], default="tip")
    text = blocks.TextBlock()

    class Meta:
        icon = "help"
        label = "Callout / tip"
        template = "learning/blocks/callout.html"


class QuoteBlock(blocks.StructBlock):
    """Words someone said, attributed: a comment quoted when a conversation became the lesson.

    ``comment`` names the comment quoted (``learning.promotions``): its author
    is told when the lesson is published. A quote typed by hand has none.
    """

    text = blocks.TextBlock()
    author = blocks.CharBlock(max_length=150, help_text="Who said it, as readers should see the name.")
    username = blocks.CharBlock(max_length=150, required=False, help_text="Links the name to their page.")
    comment = blocks.IntegerBlock(
        required=False, min_value=1, help_text="The comment quoted, when it comes from a conversation."
    )

    class Meta:
        icon = "openquote"
        label = "Quote"
        template = "learning/blocks/quote.html"


class LessonBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "code"])
    image = ImageBlock()
    code = CodeBlock()
    callout = CalloutBlock()
    embed = EmbedBlock(help_text="A short video or slides from a service your intranet reaches.")
    quote = QuoteBlock()


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255)
    correct = blocks.BooleanBlock(required=False, help_text="Tick every choice that is right.")

    class Meta:
        icon = "tick"
        label = "Choice"


class QuestionBlock(blocks.StructBlock):
    """One question; the StreamField block id is its stable identity for answers."""

    SINGLE = "single"
    MULTIPLE = "multiple"

    prompt = blocks.CharBlock(max_length=255, label="Question")
    kind = blocks.ChoiceBlock(
        choices=[
            (SINGLE, "Single choice: one right answer"),
            (MULTIPLE, "Multiple choice: tick all that apply"),
        ],
        default=SINGLE,
    )
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(help_text="Shown after answering: why the right answer is right.")

    class Meta:
        icon = "help"
        label = "Question"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if correct == 0:
            message = "Mark at least one choice as correct."
        elif value["kind"] == self.SINGLE and correct > 1:
            message = "A single-choice question has exactly one correct choice."
        else:
            return value
        raise StructBlockValidationError(block_errors={"choices": ErrorList([ValidationError(message)])})


class KnowledgeCheckBlock(blocks.StreamBlock):
    question = QuestionBlock()

    class Meta:
        max_num = 10


def estimated_minutes(body_block, body, question_count: int) -> int:
    """Minutes a reader needs for the body and the questions; at least one."""
    # Words and questions are summed before rounding, so a short body plus
    # two questions is one minute, not two.
    words = sum(len(text.split()) for text in body_block.get_searchable_content(body)) if body else 0
    return max(1, math.ceil(words / WORDS_PER_MINUTE + question_count * SECONDS_PER_QUESTION / 60))
