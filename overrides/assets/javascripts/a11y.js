// Accessibility touches Material leaves out; the CSS ones are in
// docs/stylesheets/extra.css. Checked by tests/site/test_accessibility.py.
//
// A table wider than the page scrolls sideways inside Material's
// .md-typeset__scrollwrap. A keyboard user can only scroll a box that takes focus,
// so a box that overflows becomes a named tab stop (role=region, tabindex=0);
// one that fits is left alone. Runs on every page load, instant navigation
// included, and again when the window is resized.
(function () {
  "use strict";

  function headingBefore(element) {
    for (let node = element; node && !node.classList.contains("md-content__inner");
      node = node.parentElement) {
      for (let sibling = node.previousElementSibling; sibling;
        sibling = sibling.previousElementSibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          return sibling.textContent.replace(/¶\s*$/, "").trim();
        }
      }
    }
    return "";
  }

  function markScrollBoxes() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        const caption = box.querySelector("caption");
        const title = caption ? caption.textContent.trim() : headingBefore(box);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label",
          (title ? "Table: " + title : "Table") + " (scrolls sideways)");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  let pending = 0;
  function later() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(markScrollBoxes);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(later);  // Material's page-load stream, instant navigation too
  } else {
    document.addEventListener("DOMContentLoaded", later);
  }
  window.addEventListener("resize", later);
}());
