// Knowledge check in place: posts the form with fetch and swaps in the
// server-rendered results. Without JavaScript the same form posts normally.
const FRAGMENT_HEADER = "X-Pairwise-Fragment";

async function submitInPlace(event) {
  const form = event.target.closest("form.check-form");
  if (!form) return;
  event.preventDefault();
  const section = form.closest("[data-knowledge-check]");
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { [FRAGMENT_HEADER]: "knowledge-check" },
      credentials: "same-origin",
    });
    const html = await response.text();
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const replacement = template.content.querySelector("[data-knowledge-check]");
    if (!replacement) throw new Error("unexpected response");
    section.replaceWith(replacement);
    replacement.focus();
  } catch {
    // Fall back to an ordinary form post.
    form.submit();
  }
}

document.addEventListener("submit", submitInPlace);
