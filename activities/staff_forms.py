"""Filter forms of the supporter timeline and the entity list."""

from django import forms


def choices_with_any(label: str, values, selected: str | None) -> list[tuple[str, str]]:
    """Return select choices: an empty "any" option, then each value as itself.

    A ``selected`` value that is not among ``values`` is kept as a choice, so a link copied from
    another page keeps its filter and shows an empty list instead of a form error.
    """
    values = list(values)
    if selected and selected not in values:
        values.append(selected)
    return [("", label), *((value, value) for value in values)]


class TimelineFilterForm(forms.Form):
    """Narrow a supporter's timeline by topic, source and the kind of a linked entity."""

    topic = forms.ChoiceField(required=False)
    source = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, label="Entity kind")

    def __init__(self, data, *, topics, sources, kinds):
        super().__init__(data)
        self.fields["topic"].choices = choices_with_any("Any topic", topics, data.get("topic"))
        self.fields["source"].choices = choices_with_any("Any source", sources, data.get("source"))
        self.fields["kind"].choices = choices_with_any("Any entity kind", kinds, data.get("kind"))


class EntityFilterForm(forms.Form):
    """Search entities by name and narrow them by kind and source."""

    q = forms.CharField(required=False, max_length=255, label="Name")
    kind = forms.ChoiceField(required=False)
    source = forms.ChoiceField(required=False)

    def __init__(self, data, *, kinds, sources):
        super().__init__(data)
        self.fields["kind"].choices = choices_with_any("Any kind", kinds, data.get("kind"))
        self.fields["source"].choices = choices_with_any("Any source", sources, data.get("source"))
