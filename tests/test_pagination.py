"""CountInPagePaginator: the total comes with the page rows, and edge pages still work."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from movement.pagination import CountInPagePaginator
from supporters.models import Supporter


@pytest.fixture
def supporters(db):
    Supporter.objects.bulk_create(Supporter(external_id=f"M{n:03d}") for n in range(23))
    return Supporter.objects.order_by("external_id")


def test_first_page_counts_in_one_query(supporters, django_assert_num_queries):
    paginator = CountInPagePaginator(supporters, 10)

    with django_assert_num_queries(1):
        page = paginator.page(1)
        assert paginator.count == 23

    assert [s.external_id for s in page] == [f"M{n:03d}" for n in range(10)]
    assert paginator.num_pages == 3
    assert page.has_next()


def test_last_page_is_partial(supporters):
    page = CountInPagePaginator(supporters, 10).page("3")

    assert [s.external_id for s in page] == ["M020", "M021", "M022"]
    assert not page.has_next()


def test_page_past_the_end_is_empty_page(supporters):
    paginator = CountInPagePaginator(supporters, 10)

    with pytest.raises(EmptyPage):
        paginator.page(4)
    with pytest.raises(EmptyPage):
        paginator.page(10**30)


def test_get_page_past_the_end_gives_last_page(supporters):
    page = CountInPagePaginator(supporters, 10).get_page(99)

    assert page.number == 3


def test_no_results_gives_empty_first_page(db):
    paginator = CountInPagePaginator(Supporter.objects.order_by("pk"), 10)

    page = paginator.page(1)

    assert list(page) == []
    assert paginator.count == 0


def test_non_integer_page_is_rejected(supporters):
    with pytest.raises(PageNotAnInteger):
        CountInPagePaginator(supporters, 10).page("first")
