"""The booking form, built from a service's form summary.

The same class validates what a customer types in the browser and, in the local engine, the form submission of
Create Booking, so the rules live in one place.
"""

import datetime
import re

from django import forms
from django.core.validators import RegexValidator

from .port import FormSummary

PHONE_VALIDATOR = RegexValidator(
    re.compile(r"^\+?[0-9 ()./-]{6,25}$"), "Enter a phone number, such as +1 212 555 0100."
)


def _form_field(spec) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    choices = [(option, option) for option in spec.options]
    match spec.type:
        case "LONG_TEXT":
            return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common)
        case "EMAIL":
            return forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common)
        case "PHONE":
            return forms.CharField(
                max_length=25,
                validators=[PHONE_VALIDATOR],
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                **common,
            )
        case "NUMBER":
            return forms.DecimalField(max_digits=12, decimal_places=2, **common)
        case "CHOICE":
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case "MULTI_CHOICE":
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        case "CHECKBOX":
            return forms.BooleanField(**common)
        case "DATE":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case _:
            autocomplete = {"first_name": "given-name", "last_name": "family-name"}.get(spec.target, "on")
            return forms.CharField(
                max_length=200, widget=forms.TextInput(attrs={"autocomplete": autocomplete}), **common
            )


class BookingDetailsForm(forms.Form):
    """A form whose fields are the form summary's, named by their `target`."""

    def __init__(self, summary: FormSummary, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.summary = summary
        for spec in summary.fields:
            self.fields[spec.target] = _form_field(spec)

    def submission(self) -> dict:
        """The cleaned answers as JSON values, keyed by target; empty optional answers are left out."""
        answers = {}
        for target, value in self.cleaned_data.items():
            if value in (None, "", [], False) and not self.fields[target].required:
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif not isinstance(value, str | bool | list | int):
                value = str(value)
            answers[target] = value
        return answers


def answer_text(value) -> str:
    """A form answer as a customer or staff member reads it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
