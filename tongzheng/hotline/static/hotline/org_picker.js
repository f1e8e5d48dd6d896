// The organisation picker's search box sits inside an action form: Enter searches at once
// instead of submitting the form half filled in.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-tz-org-search]")) {
    event.preventDefault();
    if (window.htmx) {
      window.htmx.trigger(event.target, "search");
    }
  }
});
