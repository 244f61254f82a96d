// Type-ahead for topic fields ("Wikis, Credit risk"): suggests existing topics
// for the name being typed, after the last comma. Without JavaScript the field
// is a plain text input and new topics are just as welcome.
// ARIA: the input is a combobox; the suggestions a listbox under it.
const DELAY_MS = 150;

function currentFragment(value) {
  const parts = value.split(",");
  return parts[parts.length - 1].trim();
}

function withChoice(value, choice) {
  const parts = value.split(",");
  parts[parts.length - 1] = ` ${choice}`;
  return `${parts.join(",").replace(/^\s+/, "")}, `;
}

function enhance(input) {
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "topic-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Matching topics");
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let active = -1;
  let timer = null;
  let asked = "";

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const options = [...list.children];
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (options[index]) input.setAttribute("aria-activedescendant", options[index].id);
  }

  function choose(name) {
    input.value = withChoice(input.value, name);
    close();
    input.focus();
  }

  function show(names) {
    const typed = currentFragment(input.value).toLowerCase();
    const already = new Set(input.value.split(",").map((part) => part.trim().toLowerCase()));
    const offered = names.filter((name) => !already.has(name.toLowerCase()) || name.toLowerCase() === typed);
    if (!offered.length) return close();
    list.replaceChildren(
      ...offered.map((name, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${i}`;
        option.setAttribute("role", "option");
        option.textContent = name;
        option.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep focus in the input
          choose(name);
        });
        return option;
      }),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  async function suggest() {
    const fragment = currentFragment(input.value);
    if (fragment === asked) return;
    asked = fragment;
    if (!fragment) return close();
    try {
      const response = await fetch(`/api/topics/?q=${encodeURIComponent(fragment)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return close();
      const { topics } = await response.json();
      if (currentFragment(input.value) === fragment) show(topics);
    } catch {
      close(); // offline or refused: typing still works
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    const count = list.children.length;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active - 1 + count) % count);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(list.children[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

document.querySelectorAll("input[data-topic-input]").forEach(enhance);
