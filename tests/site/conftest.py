from tests.blog.conftest import post, ws  # noqa: F401
from tests.learning.conftest import collection_index, learning_index, make_collection, make_lesson  # noqa: F401
