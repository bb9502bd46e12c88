from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window


class CountInPagePaginator(Paginator):
    """A paginator that reads the total from the page query with ``COUNT(*) OVER ()``.

    Django's paginator runs ``COUNT(*)`` and then the page query, so a search with an expensive
    filter pays for it twice. Here the first query returns the page rows and the total together.
    An empty page (past the end, or no results) falls back to the ordinary count.
    """

    def page(self, number):
        if (
            isinstance(self.object_list, QuerySet)
            and not self.orphans
            and "count" not in vars(self)
        ):
            try:
                number = int(number)
            except (TypeError, ValueError):
                return super().page(number)
            bottom = (number - 1) * self.per_page
            # A page number far past any real result would overflow the database's OFFSET; the
            # ordinary path counts first and rejects it as an empty page.
            if 0 <= bottom < 2**31:
                counted = self.object_list.annotate(_rows_in_all=Window(Count("*")))
                rows = list(counted[bottom : bottom + self.per_page])
                if rows:
                    # Paginator.count is a cached_property, so this is the value it keeps.
                    vars(self)["count"] = rows[0]._rows_in_all
                    return self._get_page(rows, self.validate_number(number), self)
        return super().page(number)
