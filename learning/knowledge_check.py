"""Between the knowledge-check form and the service: reading answers, showing results."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import QueryDict

if TYPE_CHECKING:  # lesson pages and progress render results through this module
    from learning.models.lessons import LessonPage
    from learning.models.progress import KnowledgeCheckAttempt

# Each question's inputs are named "q-<question block id>"; values are choice indexes.
FIELD_PREFIX = "q-"


def answers_from_post(data: QueryDict) -> dict[str, list[str]]:
    """{question id: [submitted values]} from the form; unknown ids are the service's to refuse."""
    return {key.removeprefix(FIELD_PREFIX): data.getlist(key) for key in data if key.startswith(FIELD_PREFIX)}


@dataclass(frozen=True)
class ChoiceReview:
    text: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class QuestionReview:
    id: str
    prompt: str
    answered: bool
    right: bool
    choices: list[ChoiceReview]
    explanation: str


@dataclass(frozen=True)
class AttemptReview:
    attempt: "KnowledgeCheckAttempt"
    questions: list[QuestionReview]

    @property
    def passed(self) -> bool:
        return self.attempt.passed


def attempt_review(*, lesson: "LessonPage", attempt: "KnowledgeCheckAttempt") -> AttemptReview:
    """The attempt's answers beside the right ones and the explanations (shown only after answering).

    Questions added after the attempt are left out; the lesson may have been
    re-published since.
    """
    questions = []
    for block in lesson.knowledge_check:
        if block.id not in attempt.results:
            continue
        chosen = set(attempt.answers.get(block.id, []))
        questions.append(
            QuestionReview(
                id=block.id,
                prompt=block.value["prompt"],
                answered=bool(chosen),
                right=attempt.results[block.id],
                choices=[
                    ChoiceReview(text=choice["text"], chosen=index in chosen, correct=bool(choice["correct"]))
                    for index, choice in enumerate(block.value["choices"])
                ],
                explanation=block.value["explanation"],
            )
        )
    return AttemptReview(attempt=attempt, questions=questions)
