"""Every name Theano's documentation pages document is found in symlab, page by page.

The names are data (tests/api/theano_pages.py, written from Theano's ``doc/library``
and ``doc/tutorial``). A name symlab lacks must be listed in ``NOT_YET`` with its page;
the list is reported as a warning, and the test fails for a missing name that is not
listed and for a listed name that now exists, so ``NOT_YET`` only shrinks.
"""

import fnmatch
import warnings

import pytest

import symlab as theano

from documented_lookup import exists
from theano_pages import EXCLUDED, NOT_YET, PAGES


class DocumentedNameMissing(UserWarning):
    """Names Theano documents that symlab does not have yet (``NOT_YET``)."""


def _missing():
    return {(page, name) for page, names in PAGES.items() for name in names
            if not exists(theano, name)}


def test_missing_names_are_exactly_not_yet():
    missing = _missing()
    new_gaps = sorted(missing - NOT_YET)
    landed = sorted(NOT_YET - missing)
    if missing:
        pages = sorted({page for page, _ in missing})
        summary = "; ".join(
            f"{page}: {', '.join(sorted(n for p, n in missing if p == page))}" for page in pages)
        warnings.warn(DocumentedNameMissing(
            f"{len(missing)} documented Theano names are not in symlab yet: {summary}"))
    assert not new_gaps, (f"documented names missing from symlab and not in NOT_YET "
                          f"(tests/api/theano_pages.py): {new_gaps}")
    assert not landed, (f"names in NOT_YET that symlab now has: remove them from NOT_YET "
                        f"in tests/api/theano_pages.py: {landed}")


def test_not_yet_names_are_listed_on_their_page():
    stale = sorted((page, name) for page, name in NOT_YET
                   if name not in PAGES.get(page, ()))
    assert not stale, f"NOT_YET entries that no page lists: {stale}"


def test_pages_are_either_checked_or_excluded_once():
    both = [page for page in PAGES
            if any(fnmatch.fnmatch(page, pattern) for pattern in EXCLUDED)]
    assert not both, f"pages both checked and excluded: {both}"
    for page, names in PAGES.items():
        assert page.startswith(("library/", "tutorial/")) and page.endswith(".txt"), page
        assert len(names) == len(set(names)), f"{page} lists a name twice"
    for page, reason in EXCLUDED.items():
        assert reason.strip(), f"{page} is excluded without a reason"


@pytest.mark.parametrize("name, expected", [
    ("tensor.nnet.sigmoid", True), ("function", True), ("compile.ops.as_op", True),
    ("tensor.TensorVariable.ndim", True), ("config.floatX", True),
    ("tensor.no_such_function", False), ("no_such_module.thing", False),
    ("config.no_such_flag", False)])
def test_lookup_follows_dotted_paths(name, expected):
    assert exists(theano, name) is expected
