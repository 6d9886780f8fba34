"""Sentences of the core that the window shows in the user's language, without Qt in the core.

The core words its messages in English (the CLI prints them as they are: they are for CI logs).
A message the window shows is written as a template marked for Qt's translation tools, and its
values are put in with :meth:`Text.format`::

    QT_TRANSLATE_NOOP("RunErrors", "No API key for {provider}.").format(provider=name)

The result is a :class:`Text`: a ``str`` holding the English sentence, so the CLI, logs, the
history and JSON output use it as any string, which also keeps the marked template, its
translation context and the values. ``pyside6-lupdate`` collects the template (``scripts/i18n``
reads every core module that marks one), and the window shows
``workbench.ui.common.i18n.shown(text)``: the template translated in its context, with the values
(texts themselves, translated the same way) put in.

Only literals can be marked (lupdate reads the source): never pass a variable or an f-string to
``QT_TRANSLATE_NOOP``. Joining a :class:`Text` with ``+`` or an f-string gives a plain ``str``
(English everywhere); use a template with a placeholder instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: ``translate(context, template)``: the template in the user's language (Qt's in the window).
Translate = Callable[[str, str], str]


class Text(str):
    """An English sentence that remembers how to say itself in another language.

    Attributes:
        context: The translation context the template was marked in.
        template: The English template (``{name}`` placeholders, ``str.format`` syntax).
        values: The values put into the placeholders (a :class:`Text` value is translated too);
            None before :meth:`format`: the template is the sentence, braces and all.
    """

    context: str
    template: str
    values: dict[str, Any] | None

    def __new__(cls, context: str, template: str, values: dict[str, Any] | None = None) -> Text:
        english = template.format(**values) if values is not None else template
        text = super().__new__(cls, english)
        text.context = context
        text.template = template
        text.values = None if values is None else dict(values)
        return text

    def __getnewargs__(self) -> tuple[str, str, dict[str, Any] | None]:  # type: ignore[override]
        return (self.context, self.template, self.values)

    def format(self, *args: object, **values: Any) -> Text:
        """The template with ``values`` put in (by name only), still translatable."""
        if args:
            raise TypeError("Text.format takes named values only")
        return Text(self.context, self.template, values)

    def mapped(self, change: Callable[[str], str]) -> Text:
        """The same sentence with ``change`` applied to every plain-text value (redaction)."""
        if self.values is None:
            return self
        values = {
            name: value.mapped(change)
            if isinstance(value, Text)
            else change(value)
            if isinstance(value, str)
            else value
            for name, value in self.values.items()
        }
        return Text(self.context, self.template, values)

    def translated(self, translate: Translate) -> str:
        """The sentence in the language of ``translate`` (values translated the same way)."""
        template = translate(self.context, self.template) or self.template
        if self.values is None:
            return template
        values = {
            name: value.translated(translate) if isinstance(value, Text) else value
            for name, value in self.values.items()
        }
        return template.format(**values)


def QT_TRANSLATE_NOOP(context: str, template: str) -> Text:
    """Marks ``template`` for Qt's tools in ``context``; returns it as a :class:`Text`."""
    return Text(context, template)


def shown(value: object, translate: Translate) -> str:
    """``value`` as the user reads it: a :class:`Text` (or an exception whose message is one)
    translated with ``translate``, anything else as ``str(value)``."""
    if isinstance(value, Text):
        return value.translated(translate)
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Text):
        return value.args[0].translated(translate)
    return str(value)
