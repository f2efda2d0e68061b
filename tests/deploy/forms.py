"""Reading HTML forms as a browser submits them (for tests that drive servers with requests)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None, action_part: str | None) -> None:
        super().__init__()
        self.form_id, self.action_part = form_id, action_part
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self.checkboxes: list[str] = []
        self.action = ""

    def _wanted(self, attrs: dict[str, str | None]) -> bool:
        if self.form_id is not None:
            return attrs.get("id") == self.form_id
        if self.action_part is not None:
            return self.action_part in (attrs.get("action") or "")
        return True

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form" and not self.found and self._wanted(attrs):
            self.inside = self.found = True
            self.action = attrs.get("action") or ""
        elif self.inside and tag in ("input", "textarea", "select") and attrs.get("name"):
            name = attrs["name"] or ""
            kind = (attrs.get("type") or "text").lower()
            if kind == "checkbox":
                self.checkboxes.append(name)
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "radio"):
                self.fields[name] = attrs.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_fields(
    html: str, *, form_id: str | None = None, action_contains: str | None = None
) -> tuple[str, dict[str, str], list[str]]:
    """(action, the values a browser would send, the names of its checkboxes) of one form."""
    parser = _FormParser(form_id, action_contains)
    parser.feed(html)
    if not parser.found:
        raise AssertionError(f"no such form (id={form_id!r}, action~{action_contains!r})")
    return parser.action, parser.fields, parser.checkboxes
