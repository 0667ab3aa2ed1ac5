"""A comma typed or pasted into a number box is taken as the decimal point: `0,05` is 0.05, never 5.

Streamlit's number box is an <input type="number">. Chromium does not accept a comma in it, and what a visitor
typed as `0,05` reached the page as 5 (a learning rate a hundred times too large, the run then diverged). The
page cannot tell, since 5 is a valid number: the fix must act where the comma is typed. `install()` mounts a
components-v2 element in the sidebar whose script adds, once per browser tab, two listeners on the document:
a comma key in a number box inserts a point instead, and a paste into one has its commas read as points when
that gives a number (`1,5` -> 1.5); a paste that is still no number (`1,000.5`) is refused with the box's own
validity message, so nothing is turned into another number.
"""

from __future__ import annotations

import streamlit as st

from i18n import translator

_, ngettext = translator("app")

_JS = """
export default function ({ data }) {
  // the refusal's words, in the session's language (sent by install() on every run)
  if (data && data.message) window.__labDecimalCommaMessage = data.message;
  if (window.__labDecimalComma) return;
  window.__labDecimalComma = true;
  // nothing to show: the element's row (and the gap before it) leaves the sidebar's layout
  const style = document.createElement("style");
  style.textContent = ".st-key-lab-decimal-comma { display: none; }";
  document.head.appendChild(style);
  const isNumberBox = (el) => el instanceof HTMLInputElement && el.type === "number";
  document.addEventListener("keydown", (event) => {
    if (event.key !== "," || !isNumberBox(event.target)) return;
    event.preventDefault();
    document.execCommand("insertText", false, ".");
  }, true);
  document.addEventListener("paste", (event) => {
    if (!isNumberBox(event.target)) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text.includes(",")) return;
    event.preventDefault();
    const dotted = text.trim().replace(",", ".");
    if (/^[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?$/.test(dotted)) {
      document.execCommand("insertText", false, dotted);
    } else {
      event.target.setCustomValidity(window.__labDecimalCommaMessage || "Use a point for decimals (0.05).");
      event.target.reportValidity();
      setTimeout(() => event.target.setCustomValidity(""), 3000);
    }
  }, true);
}
"""

KEY = "lab-decimal-comma"  # Streamlit gives the element's container the class st-key-<key>, which the script hides
_COMPONENT = st.components.v2.component("optimizer_lab.decimal_comma", js=_JS)


def install() -> None:
    """Mount the listeners' element (nothing visible; once per tab the script adds them)."""
    with st.sidebar:  # not the main column: the moment before the script hides it moves nothing there
        _COMPONENT(key=KEY, data={"message": _("Use a point for decimals (0.05), and no thousands separators.")})
