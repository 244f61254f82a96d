// Learning reactions on a post or lesson: the plain forms, sent with fetch so
// the page stays where it is. Without JavaScript the forms post and redirect back.
const section = document.querySelector("[data-page-reactions]");

function show(reactions) {
  for (const { kind, count, mine } of reactions) {
    const form = section.querySelector(`[data-page-reaction="${kind}"]`);
    if (!form) continue;
    const shown = form.querySelector("[data-page-reaction-count]");
    shown.textContent = String(count);
    shown.hidden = count === 0; // a zero is not shown, as the page renders it
    form.querySelector("button").setAttribute("aria-pressed", mine ? "true" : "false");
    form.querySelector('input[name="on"]').value = mine ? "0" : "1";
  }
}

section?.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-page-reaction]");
  if (!form) return;
  event.preventDefault();
  const error = section.querySelector("[data-page-reactions-error]");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || "That did not work; try again.");
    error.textContent = "";
    show(data.reactions);
  } catch (problem) {
    error.textContent = problem instanceof SyntaxError ? "That did not work; try again." : problem.message;
  } finally {
    button.disabled = false;
  }
});
