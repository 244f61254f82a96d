"""StreamField blocks for blog posts, and the reading-time estimate built on them."""

import math

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

WORDS_PER_MINUTE = 200

CODE_LANGUAGES = [
    ("text", "Plain text"),
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("sql", "SQL"),
    ("bash", "Shell"),
    ("json", "JSON"),
    ("yaml", "YAML"),
]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "Section"), ("h3", "Subsection")], default="h2")

    class Meta:
        icon = "title"
        template = "blog/blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text="Describe the image for people who cannot see it."
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blog/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "blog/blocks/quote.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=CODE_LANGUAGES, default="text")
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blog/blocks/code.html"


class TakeawayBlock(blocks.StructBlock):
    """ "What we learned": the shared lesson, and each member's own view of it."""

    summary = blocks.TextBlock(help_text="What the two of you learned, in a sentence or two.")
    first_member_perspective = blocks.TextBlock(
        required=False, help_text="The pair's first member, in their own words."
    )
    second_member_perspective = blocks.TextBlock(
        required=False, help_text="The pair's second member, in their own words."
    )

    class Meta:
        icon = "pick"
        label = "What we learned"
        template = "blog/blocks/takeaway.html"


class PostBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "code"])
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    code = CodeBlock()
    embed = EmbedBlock(help_text="A video or slides from a service your intranet reaches.")
    takeaway = TakeawayBlock()


def reading_minutes(stream_block: blocks.StreamBlock, value) -> int:
    """Minutes an average reader needs for ``value``; at least one."""
    words = sum(len(text.split()) for text in stream_block.get_searchable_content(value))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
