// Live comment thread: progressive enhancement over the server-rendered thread
// and its plain forms. Speaks the protocol of docs/threads-protocol.md.
//
// The server is the truth: this client keeps the highest comment id it has
// seen, merges everything by id (so nothing shows twice), resends pending
// comments with their client_id after a reconnect (the server never
// duplicates them) and asks for everything after the last id it saw.

const TYPING_SEND_MS = 3000;
const TYPING_SHOW_MS = 4000;
const MAX_BACKOFF_MS = 30000;
const ACCESS_ENDED = 4403;
const REACTIONS = [
  { kind: "like", label: "Like" },
  { kind: "learned", label: "Learned something" },
  { kind: "insightful", label: "Insightful" },
  { kind: "question", label: "Question" },
];
// CommentFlag.Reason in blog/threads/models.py.
const FLAG_REASONS = [
  ["off_topic", "Off-topic"],
  ["disrespectful", "Disrespectful"],
  ["confidential", "Confidential"],
  ["other", "Something else"],
];

// A button's act value, as the server reads it: "<action>:<comment id>[:<argument>]"
// (react:12:like, delete:12, answer:14:12). thread.css draws a reaction's icon from its end.
function parseAct(value) {
  const [action, id, argument = ""] = value.split(":");
  return { action, id: Number(id), argument };
}

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// A person's picture by its address (/people/<username>/avatar/, the same as {% avatar_image %}).
function avatar(personUrl, size, className = "avatar") {
  return element("img", {
    class: className, src: `${personUrl}avatar/`, alt: "", width: size, height: size, loading: "lazy", decoding: "async",
  });
}

function plainText(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // already sanitised by the server; never attached
  return template.content.textContent.trim();
}

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

class LiveThread {
  constructor(section) {
    this.section = section;
    this.pageId = Number(section.dataset.thread);
    this.wsPath = section.dataset.wsPath;
    this.username = section.dataset.username;
    this.isEditor = section.dataset.editor === "true";
    this.canPost = section.dataset.canPost === "true";
    this.mayAnswer = section.dataset.mayAnswer === "true"; // a host of the page, or an editor
    this.list = section.querySelector("[data-thread-comments]");
    this.countNode = section.querySelector("[data-thread-count]");
    this.presenceNode = section.querySelector("[data-thread-presence]");
    this.hostsHereNode = section.querySelector("[data-thread-hosts-here]");
    this.typingNode = section.querySelector("[data-thread-typing]");
    this.announcer = section.querySelector("[data-thread-announcer]");
    this.pill = section.querySelector("[data-thread-pill]");
    this.olderButton = section.querySelector("[data-thread-older]");
    this.csrfToken = section.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

    this.comments = new Map(); // id -> comment object of the protocol
    this.lastId = Number(section.dataset.lastId) || 0;
    this.firstId = null;
    this.pending = new Map(); // client_id -> {frame, form, node}
    this.syncQueue = []; // "after" | "before", answered in order
    this.typists = new Map(); // name -> timer
    this.unseen = [];
    this.lastTypingSent = 0;
    this.attempt = 0;
    this.socket = null;
    this.hasSnapshot = false;
    this.pressed = new Set(); // "id:kind" this reader has reacted with
    this.editing = new Set(); // ids of comments whose edit was sent and not yet seen back
    this.flagged = new Set(); // ids this reader flagged here
    this.pendingFlag = null; // the flag form whose answer has not come
    this.lastEditForm = null;

    this.section.addEventListener("submit", (event) => this.onSubmit(event));
    this.section.addEventListener("input", (event) => this.onInput(event));
    this.pill.addEventListener("click", () => this.showUnseen());
    this.olderButton?.addEventListener("click", () => this.requestOlder());
    window.addEventListener("scroll", () => this.checkUnseen(), { passive: true });
    this.connect();
  }

  // --- connection -------------------------------------------------------------

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.wsPath}`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.onFrame(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.section.classList.remove("thread--live");
      this.syncQueue = [];
      // 4403: access to this page ended (restricted, unpublished, signed out).
      // A new connection would be refused too; the error frame before the
      // close has said why, and reloading the page asks to sign in if needed.
      if (event.code === ACCESS_ENDED) return;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      window.setTimeout(() => this.connect(), delay);
    });
  }

  get live() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.hasSnapshot;
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  sync(direction, id) {
    this.syncQueue.push(direction);
    this.send({ type: "sync", [direction]: id });
  }

  // --- frames from the server ---------------------------------------------------

  onFrame(frame) {
    const handler = {
      "thread.snapshot": () => this.onSnapshot(frame),
      "thread.sync": () => this.onSync(frame),
      "comment.created": () => this.onCreated(frame.comment),
      "comment.updated": () => this.upsert(frame.comment),
      "comment.deleted": () => this.onDeleted(frame.id),
      "comment.reactions": () => this.setReactions(frame.id, frame.reactions),
      "comment.answered": () => this.onAnswered(frame),
      "comment.flagged": () => this.onFlagged(frame.id),
      typing: () => this.onTyping(frame.user),
      presence: () => this.onPresence(frame),
      error: () => this.onError(frame),
    }[frame.type];
    if (handler) handler();
  }

  onSnapshot(frame) {
    const reconnect = this.hasSnapshot;
    const seenBefore = this.lastId;
    this.hasSnapshot = true;
    this.attempt = 0;
    this.section.classList.add("thread--live");
    // The server rendered the same comments: each is drawn again live in its
    // place, keeping which reactions this reader has pressed and a form opened
    // without the socket (?reply=<id>) with what is typed in it and the focus.
    const focused = this.list.contains(document.activeElement) ? document.activeElement.id : "";
    if (!reconnect) {
      for (const button of this.list.querySelectorAll('button[value^="react:"][aria-pressed=true]')) {
        const { id, argument: kind } = parseAct(button.value);
        this.pressed.add(`${id}:${kind}`);
      }
      this.comments.clear();
    }
    for (const comment of frame.comments) this.upsert(comment, { announce: reconnect });
    if (!reconnect) {
      for (const node of this.list.querySelectorAll("li[data-comment-id]")) {
        if (!this.comments.has(Number(node.dataset.commentId))) node.remove();
      }
    }
    if (focused) document.getElementById(focused)?.focus();
    if (frame.comments.length) this.firstId = Math.min(this.firstId ?? Infinity, frame.comments[0].id);
    if (this.olderButton) this.olderButton.hidden = !frame.has_more;
    this.onPresence(frame.presence);
    this.renderEmpty();
    // Everything after the last id seen before the drop (the snapshot may not
    // reach back that far); pending comments are resent with their client_id.
    if (reconnect && seenBefore) this.sync("after", seenBefore);
    for (const [clientId, entry] of this.pending) {
      if (!this.send(entry.frame)) break;
      entry.node?.setAttribute("data-client-id", clientId);
    }
  }

  onSync(frame) {
    const direction = this.syncQueue.shift() || "after";
    if (direction === "before") {
      for (const comment of frame.comments) this.upsert(comment, { prepend: true });
      if (frame.comments.length) this.firstId = frame.comments[0].id;
      if (this.olderButton) this.olderButton.hidden = !frame.has_more;
      return;
    }
    for (const comment of frame.comments) this.upsert(comment, { announce: true });
    if (frame.has_more && frame.last_id) this.sync("after", frame.last_id);
  }

  onCreated(comment) {
    if (comment.client_id && this.pending.has(comment.client_id)) {
      const entry = this.pending.get(comment.client_id);
      entry.node?.remove();
      this.pending.delete(comment.client_id);
    }
    const mine = comment.author.username === this.username;
    this.upsert(comment, { announce: !mine });
    if (mine) document.getElementById(`comment-${comment.id}`)?.scrollIntoView({ block: "nearest" });
  }

  onDeleted(id) {
    const comment = this.comments.get(id);
    if (!comment) return;
    this.upsert({ ...comment, deleted: true, body_html: "" });
  }

  onError(frame) {
    const entry = frame.client_id ? this.pending.get(frame.client_id) : null;
    if (entry) {
      entry.node?.remove();
      this.pending.delete(frame.client_id);
      const textarea = entry.form.querySelector("textarea");
      if (textarea && !textarea.value) textarea.value = entry.frame.body;
      this.showError(entry.form, frame.message);
      return;
    }
    if (this.pendingFlag?.isConnected) {
      // Flags carry no client_id either: an error while one is outstanding is its answer.
      this.showError(this.pendingFlag, frame.message);
      this.pendingFlag = null;
      return;
    }
    if (this.editing.size && this.lastEditForm?.isConnected) {
      // Edits carry no client_id: an error while one is outstanding is its answer.
      this.editing.clear();
      this.showError(this.lastEditForm, frame.message);
      return;
    }
    this.showError(this.section.querySelector("form[data-comment-form]") || this.section, frame.message);
  }

  onTyping(name) {
    window.clearTimeout(this.typists.get(name));
    this.typists.set(name, window.setTimeout(() => {
      this.typists.delete(name);
      this.renderTyping();
    }, TYPING_SHOW_MS));
    this.renderTyping();
  }

  onPresence({ count, users, people, hosts_here: hostsHere }) {
    if (this.hostsHereNode) {
      // From the server's count of everyone here: the names list stops at 20.
      const text = hostsHere ? "Both authors are here now — ask them" : "";
      if (this.hostsHereNode.textContent !== text) this.hostsHereNode.textContent = text;
    }
    if (!this.presenceNode) return;
    this.presenceNode.hidden = count === 0;
    const listed = people || users.map((name) => ({ name }));
    const links = listed.flatMap((person, i) => [
      i ? ", " : "",
      person.url
        ? element("a", { href: person.url, class: "thread__person" }, avatar(person.url, 24), person.name)
        : person.name,
    ]);
    const more = count - listed.length;
    if (more > 0) links.push(` and ${more} more`);
    this.presenceNode.replaceChildren(count === 1 ? "Here now: " : `${count} people here now: `, ...links);
  }

  onAnswered({ question: questionId, answer, previous }) {
    const question = this.comments.get(questionId);
    if (question) this.upsert({ ...question, answer });
    const before = previous ? this.comments.get(previous) : null;
    if (before && (!answer || answer.id !== before.id)) this.upsert({ ...before, answer_to: null });
    const marked = answer ? this.comments.get(answer.id) : null;
    if (marked) this.upsert({ ...marked, answer_to: questionId });
    if (question) this.announce(answer ? `The question has an answer, from ${answer.author.name}.` : "The question is open again.");
  }

  // --- the list -----------------------------------------------------------------

  upsert(comment, { announce = false, prepend = false } = {}) {
    const known = this.comments.has(comment.id);
    this.comments.set(comment.id, comment);
    this.refreshQuote(comment);
    this.lastId = Math.max(this.lastId, comment.id);
    const existing = document.getElementById(`comment-${comment.id}`);
    const node = this.renderComment(comment);
    if (existing) {
      const replies = existing.querySelector(":scope > .comment__replies");
      if (replies) node.append(replies);
      // Links the server offers the thread's hosts on a conversation (promote to a lesson): kept.
      const actions = existing.querySelector(":scope > article > .comment__conversation-actions");
      if (actions && !comment.deleted) node.querySelector(":scope > article")?.append(actions);
      existing.replaceWith(node);
    } else if (!this.shouldHide(comment)) {
      this.place(comment, node, prepend);
      if (!known && announce) this.noticeNew(comment, node);
    }
    this.refreshPlaceholder(comment.parent);
    this.renderCount();
    this.renderEmpty();
  }

  refreshQuote(comment) {
    // An answer edited after it was marked: its question quotes the new text.
    const question = comment.answer_to ? this.comments.get(comment.answer_to) : null;
    if (!question || !question.answer || question.answer.id !== comment.id) return;
    if (question.answer.body_html === comment.body_html || comment.deleted) return;
    question.answer = { ...question.answer, body_html: comment.body_html };
    document.getElementById(`comment-${question.id}`)?.querySelector(":scope > article [data-comment-answered] blockquote")
      ?.replaceChildren(this.sanitisedHtml(comment.body_html));
  }

  sanitisedHtml(html) {
    const content = document.createElement("template");
    content.innerHTML = html; // sanitised by the server (nh3)
    return content.content;
  }

  shouldHide(comment) {
    // A deleted comment shows as a placeholder only while something replies to it.
    if (!comment.deleted) return false;
    for (const other of this.comments.values()) if (other.parent === comment.id) return false;
    return true;
  }

  refreshPlaceholder(parentId) {
    const parent = parentId ? this.comments.get(parentId) : null;
    if (parent && parent.deleted && !document.getElementById(`comment-${parent.id}`)) {
      this.place(parent, this.renderComment(parent), false);
    }
  }

  rootOf(comment) {
    let current = comment;
    const visited = new Set();
    while (current.parent && this.comments.has(current.parent) && !visited.has(current.id)) {
      visited.add(current.id);
      current = this.comments.get(current.parent);
    }
    return current;
  }

  place(comment, node, prepend) {
    const root = this.rootOf(comment);
    let container = this.list;
    if (root.id !== comment.id) {
      const rootNode = document.getElementById(`comment-${root.id}`);
      if (rootNode) {
        container = rootNode.querySelector(":scope > .comment__replies");
        if (!container) {
          container = element("ol", { class: "comment__replies" });
          rootNode.append(container);
        }
      }
    }
    // Keep id order: walk back from the end (new comments) or from the start (older pages).
    const siblings = [...container.children].filter((child) => child.dataset.commentId);
    const after = prepend
      ? siblings.find((child) => Number(child.dataset.commentId) > comment.id)
      : [...siblings].reverse().find((child) => Number(child.dataset.commentId) < comment.id);
    if (prepend) container.insertBefore(node, after || null);
    else if (after) after.after(node);
    else container.prepend(node);
  }

  renderComment(comment) {
    const id = comment.id;
    const parent = comment.parent ? this.comments.get(comment.parent) : null;
    const root = this.rootOf(comment);
    let replyingTo = null;
    if (comment.parent && (!parent || parent.id !== root.id)) {
      replyingTo = parent ? `replying to @${parent.author.username}` : "replying to an earlier comment";
    }
    const created = new Date(comment.created);
    const body = element("div", { class: "comment__body" });
    if (comment.deleted) {
      body.append(element("p", { class: "comment__placeholder", text: "This comment was deleted." }));
    } else if (comment.hidden && !this.isEditor) {
      body.append(element("p", { class: "comment__placeholder", text: "This comment is hidden." }));
    } else {
      if (comment.hidden) {
        body.append(element("p", { class: "comment__placeholder", text: "Hidden from readers; only editors see it." }));
      }
      const content = document.createElement("template");
      content.innerHTML = comment.body_html; // sanitised by the server (nh3)
      body.append(content.content);
    }
    const card = element(
      "article",
      { "aria-labelledby": `comment-${id}-author` },
      element(
        "header",
        {},
        // Sized and rounded by thread.css (its place in the header), as the server writes it.
        element("img", { src: `${comment.author.url}avatar/`, alt: "", loading: "lazy" }),
        element(
          "strong",
          { id: `comment-${id}-author` },
          element("a", { href: comment.author.url, text: comment.author.name }),
        ),
        " ",
        replyingTo ? element("span", { class: "comment__replying", text: replyingTo }) : null,
        " ",
        element(
          "a",
          { href: `#comment-${id}` },
          element("time", { datetime: created.toISOString().replace(/\.\d+Z$/, "Z"), text: dateFormat.format(created) }),
        ),
        comment.edited && !comment.deleted ? element("span", { class: "comment__edited", text: " (edited)" }) : null,
        this.renderQuestionBadge(comment),
        comment.answer_to ? element("span", { class: "comment__badge comment__badge--answer", text: "The answer" }) : null,
      ),
      body,
    );
    if (comment.question && comment.answer && !comment.deleted) card.append(this.renderAnswered(comment.answer));
    if (comment.became) card.append(this.renderBecame(comment.became));
    if (!comment.deleted) {
      card.append(this.renderActions(comment));
      if (this.mayChange(comment) && typeof comment.body === "string") card.append(this.renderEditForm(comment));
      if (this.canPost && comment.author.username !== this.username && !comment.hidden) {
        card.append(this.flagged.has(comment.id)
          ? element("p", { class: "comment__flagged", text: "Flagged for the editors. Thank you." })
          : this.renderFlagForm(comment));
      }
      if (this.canPost) card.append(this.renderReplyForm(comment));
    }
    const classes = ["comment"];
    if (comment.hidden) classes.push("comment--hidden");
    if (comment.deleted) classes.push("comment--deleted");
    if (comment.answer_to) classes.push("comment--answer");
    return element("li", { class: classes.join(" "), id: `comment-${id}`, "data-comment-id": id }, card);
  }

  // The buttons of actions() in blog/templatetags/thread_tags.py, with the same
  // act values, in a form of their own (it posts them when the socket is down).
  renderActions(comment) {
    const id = comment.id;
    const form = element(
      "form",
      { method: "post", action: location.pathname, class: "comment__actions", "data-comment-actions": true },
      element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: this.csrfToken }),
      element("input", { type: "hidden", name: "thread_form", value: "1" }),
    );
    const group = element("span", { class: "reactions", role: "group", "aria-label": "Reactions" });
    for (const { kind, label } of REACTIONS) {
      group.append(
        element("button", {
          type: "submit", name: "act", value: `react:${id}:${kind}`,
          "aria-pressed": this.pressed.has(`${id}:${kind}`) ? "true" : "false", disabled: !this.canPost,
          text: `${label} ${comment.reactions[kind] || 0}`,
        }),
        " ",
      );
    }
    form.append(group);
    this.renderAnswerButton(comment, form);
    if (this.mayChange(comment)) {
      form.append(" ", element("button", { type: "submit", name: "act", value: `delete:${id}`, text: "Delete" }));
    }
    if (this.isEditor) {
      const hide = comment.hidden ? "show" : "hide";
      form.append(" ", element("button", {
        type: "submit", name: "act", value: `${hide}:${id}`, text: comment.hidden ? "Show" : "Hide",
      }));
    }
    return form;
  }

  // The same markup as question_badge, answered_box and the answer button in blog/templatetags/thread_tags.py.
  renderQuestionBadge(comment) {
    if (!comment.question) return null;
    const state = comment.answer ? "answered" : "open";
    return element("span", {
      class: `comment__badge comment__badge--${state}`, "data-question-state": state,
      text: `Question for the authors · ${state}`,
    });
  }

  // The same markup as became_note in blog/templatetags/thread_tags.py.
  renderBecame(became) {
    return element(
      "p",
      { class: "comment__became", "data-comment-became": "" },
      element("a", { href: became.url, text: "This conversation became a lesson" }),
    );
  }

  renderAnswered(answer) {
    const box = element(
      "div",
      { class: "comment__answered", "data-comment-answered": answer.id },
      element(
        "p",
        {},
        element("strong", { text: "Answered" }),
        " by ",
        element("a", { href: answer.author.url, text: answer.author.name }),
        " · ",
        element("a", { href: `#comment-${answer.id}`, text: "Go to the answer" }),
      ),
      element("blockquote", {}, this.sanitisedHtml(answer.body_html)),
    );
    return box;
  }

  renderAnswerButton(comment, form) {
    const root = this.rootOf(comment);
    if (!this.mayAnswer || root.id === comment.id || !root.question || comment.hidden) return;
    const marked = comment.answer_to === root.id;
    form.append(" ", element("button", {
      type: "submit", name: "act", value: `${marked ? "unanswer" : "answer"}:${comment.id}:${root.id}`,
      text: marked ? "Unmark the answer" : "Mark as the answer",
    }));
  }

  mayChange(comment) {
    return this.canPost && (comment.author.username === this.username || this.isEditor);
  }

  // The same markup as edit_form in blog/templatetags/thread_tags.py; starts from the Markdown as written.
  renderEditForm(comment) {
    const fieldId = `edit-${comment.id}`;
    const previous = document.getElementById(`comment-${comment.id}`)?.querySelector(":scope > article details.comment__edit");
    const saved = this.editing.has(comment.id); // the edit just sent came back: close the form
    if (saved) this.editing.delete(comment.id);
    const details = element(
      "details",
      { class: "comment__edit", open: !saved && (previous?.open || false) },
      element("summary", { text: "Edit" }),
      element(
        "form",
        { method: "post", action: location.pathname, class: "comment-form", "data-comment-edit-form": true },
        element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: this.csrfToken }),
        element("input", { type: "hidden", name: "thread_form", value: "1" }),
        element("input", { type: "hidden", name: "action", value: "edit" }),
        element("input", { type: "hidden", name: "comment", value: comment.id }),
        element("label", { for: fieldId, text: "Edit the comment" }),
        element("textarea", {
          id: fieldId, name: "body", rows: 3, maxlength: 5000, required: true, "aria-describedby": `${fieldId}-error`,
        }),
        element("p", { class: "form-error", id: `${fieldId}-error`, "data-form-error": true, role: "alert" }),
        element("button", { type: "submit", class: "button", text: "Save changes" }),
      ),
    );
    // A draft being written survives an update from elsewhere; otherwise the text as it now is.
    const draft = !saved && previous?.open ? previous.querySelector("textarea")?.value : null;
    details.querySelector("textarea").value = draft ?? comment.body;
    return details;
  }

  // The same markup as flag_form in blog/templatetags/thread_tags.py.
  renderFlagForm(comment) {
    const id = comment.id;
    const previous = document.getElementById(`comment-${id}`)?.querySelector(":scope > article details.comment__flag");
    const reasons = element("fieldset", {}, element("legend", { text: "What is wrong with it?" }));
    for (const [value, label] of FLAG_REASONS) {
      reasons.append(element("label", {}, element("input", { type: "radio", name: "reason", value, required: true }), ` ${label}`), " ");
    }
    return element(
      "details",
      { class: "comment__flag", open: previous?.open || false },
      element("summary", { text: "Flag" }),
      element(
        "form",
        { method: "post", action: location.pathname, class: "comment-form", "data-comment-flag-form": true },
        element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: this.csrfToken }),
        element("input", { type: "hidden", name: "thread_form", value: "1" }),
        element("input", { type: "hidden", name: "action", value: "flag" }),
        element("input", { type: "hidden", name: "comment", value: id }),
        reasons,
        element("label", { for: `flag-${id}-note`, text: "A note for the editors (needed for “Something else”)" }),
        element("textarea", { id: `flag-${id}-note`, name: "note", rows: 2, maxlength: 500, "aria-describedby": `flag-${id}-error` }),
        element("p", { class: "form-error", id: `flag-${id}-error`, "data-form-error": true, role: "alert" }),
        element("button", { type: "submit", class: "button", text: "Send to the editors" }),
      ),
    );
  }

  onFlagged(id) {
    this.flagged.add(id);
    this.pendingFlag = null;
    const details = document.getElementById(`comment-${id}`)?.querySelector(":scope > article details.comment__flag");
    details?.replaceWith(element("p", { class: "comment__flagged", role: "status", text: "Flagged for the editors. Thank you." }));
  }

  renderReplyForm(comment) {
    const fieldId = `reply-${comment.id}`;
    const previous = document.getElementById(`comment-${comment.id}`)?.querySelector(":scope > article details.comment__reply");
    const details = element(
      "details",
      { class: "comment__reply", open: previous?.open || false },
      element("summary", { text: "Reply" }),
      element(
        "form",
        { method: "post", action: location.pathname, class: "comment-form", "data-comment-form": true },
        element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: this.csrfToken }),
      element("input", { type: "hidden", name: "thread_form", value: "1" }),
        element("input", { type: "hidden", name: "action", value: "comment" }),
        element("input", { type: "hidden", name: "client_id", value: newClientId() }),
        element("input", { type: "hidden", name: "parent", value: comment.id }),
        element("label", { for: fieldId, text: `Reply to ${comment.author.name}` }),
        element("textarea", {
          id: fieldId, name: "body", rows: 3, maxlength: 5000, required: true, "aria-describedby": `${fieldId}-error`,
        }),
        element("p", { class: "form-error", id: `${fieldId}-error`, "data-form-error": true, role: "alert" }),
        element("button", { type: "submit", class: "button", text: "Post reply" }),
      ),
    );
    const oldText = previous?.querySelector("textarea")?.value;
    if (oldText) details.querySelector("textarea").value = oldText;
    return details;
  }

  setReactions(id, reactions) {
    const comment = this.comments.get(id);
    if (!comment) return;
    comment.reactions = reactions;
    const node = document.getElementById(`comment-${id}`);
    for (const { kind, label } of REACTIONS) {
      const button = node?.querySelector(`:scope > article button[value="react:${id}:${kind}"]`);
      if (button) button.textContent = `${label} ${reactions[kind] || 0}`;
    }
  }

  renderCount() {
    if (!this.countNode) return;
    let count = 0;
    for (const comment of this.comments.values()) if (!comment.deleted) count += 1;
    this.countNode.textContent = String(count);
  }

  renderEmpty() {
    const empty = this.list.querySelector("[data-thread-empty]");
    const hasComments = this.list.querySelector("[data-comment-id]") !== null;
    if (hasComments && empty) empty.remove();
    if (!hasComments && !empty) {
      this.list.append(element("li", { class: "thread__empty", "data-thread-empty": true, text: "No comments yet. Start the conversation." }));
    }
  }

  renderTyping() {
    const names = [...this.typists.keys()];
    if (!names.length) this.typingNode.textContent = "";
    else if (names.length === 1) this.typingNode.textContent = `${names[0]} is typing…`;
    else this.typingNode.textContent = `${names.join(", ")} are typing…`;
  }

  // --- "N new comments", announcements -----------------------------------------------

  noticeNew(comment, node) {
    if (!comment.deleted && !(comment.hidden && !this.isEditor)) {
      const excerpt = plainText(comment.body_html).slice(0, 140);
      this.announce(`New comment from ${comment.author.name}: ${excerpt}`);
    }
    const box = node.getBoundingClientRect();
    if (box.top > window.innerHeight || box.bottom < 0) {
      this.unseen.push(node);
      this.renderPill();
    }
  }

  announce(text) {
    const line = element("p", { text });
    this.announcer.append(line);
    window.setTimeout(() => line.remove(), 10000);
  }

  checkUnseen() {
    if (!this.unseen.length) return;
    this.unseen = this.unseen.filter((node) => {
      if (!node.isConnected) return false;
      const box = node.getBoundingClientRect();
      return box.top > window.innerHeight || box.bottom < 0;
    });
    this.renderPill();
  }

  renderPill() {
    const count = this.unseen.length;
    this.pill.hidden = count === 0;
    this.pill.textContent = count === 1 ? "1 new comment" : `${count} new comments`;
  }

  showUnseen() {
    const first = this.unseen[0];
    this.unseen = [];
    this.renderPill();
    if (first && first.isConnected) {
      first.scrollIntoView({ block: "center" });
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
    }
  }

  requestOlder() {
    if (this.live && this.firstId) this.sync("before", this.firstId);
  }

  // --- what the reader does ----------------------------------------------------------

  onSubmit(event) {
    if (!this.live) return; // no socket: the plain form posts to the page
    const form = event.target;
    if (form.matches("[data-comment-form]")) {
      event.preventDefault();
      this.submitComment(form);
    } else if (form.matches("[data-comment-flag-form]")) {
      event.preventDefault();
      this.submitFlag(form);
    } else if (form.matches("[data-comment-edit-form]")) {
      event.preventDefault();
      this.submitEdit(form);
    } else if (form.matches("[data-comment-actions]")) {
      event.preventDefault();
      this.submitAction(form, event.submitter);
    }
  }

  submitComment(form) {
    const textarea = form.querySelector("textarea");
    const body = textarea.value;
    this.showError(form, "");
    if (!body.trim()) {
      this.showError(form, "Write something first.");
      textarea.focus();
      return;
    }
    const parent = Number(form.querySelector("input[name=parent]").value) || null;
    const clientId = newClientId();
    const asking = form.querySelector("input[name=question]");
    const frame = { type: "comment.create", body, parent, client_id: clientId };
    if (asking?.checked && !parent) frame.question = true;
    const node = element(
      "li",
      { class: "comment comment--pending", "data-client-id": clientId },
      element("p", { class: "comment__placeholder", text: "Sending…" }),
      element("div", { class: "comment__body", text: body }),
    );
    const rootNode = parent ? form.closest(".thread__comments > .comment") : null;
    if (rootNode) {
      let replies = rootNode.querySelector(":scope > .comment__replies");
      if (!replies) {
        replies = element("ol", { class: "comment__replies" });
        rootNode.append(replies);
      }
      replies.append(node);
    } else {
      this.list.append(node);
    }
    this.pending.set(clientId, { frame, form, node });
    textarea.value = "";
    if (asking) asking.checked = false;
    const details = form.closest("details");
    if (details) details.open = false;
    this.send(frame);
  }

  submitFlag(form) {
    const id = Number(form.querySelector("input[name=comment]").value);
    const reason = form.querySelector("input[name=reason]:checked")?.value;
    const note = form.querySelector("textarea[name=note]").value;
    this.showError(form, "");
    if (!reason) {
      this.showError(form, "Choose what is wrong with it.");
      return;
    }
    this.pendingFlag = form;
    this.send({ type: "comment.flag", id, reason, note });
  }

  submitEdit(form) {
    const textarea = form.querySelector("textarea");
    const id = Number(form.querySelector("input[name=comment]").value);
    this.showError(form, "");
    if (!textarea.value.trim()) {
      this.showError(form, "Write something first.");
      textarea.focus();
      return;
    }
    this.editing.add(id);
    this.lastEditForm = form;
    this.send({ type: "comment.edit", id, body: textarea.value });
  }

  submitAction(form, submitter) {
    if (!submitter || submitter.name !== "act") return;
    const { action, id, argument } = parseAct(submitter.value);
    if (action === "react") {
      const key = `${id}:${argument}`;
      if (this.pressed.has(key)) this.pressed.delete(key);
      else this.pressed.add(key);
      submitter.setAttribute("aria-pressed", this.pressed.has(key) ? "true" : "false");
      this.send({ type: "reaction.toggle", id, reaction: argument });
    } else if (action === "delete") {
      if (window.confirm("Delete this comment?")) this.send({ type: "comment.delete", id });
    } else if (action === "answer" || action === "unanswer") {
      this.send({ type: "comment.answer", question: Number(argument), answer: action === "answer" ? id : null });
    } else if (action === "hide" || action === "show") {
      this.send({ type: "comment.hide", id, hidden: action === "hide" });
    }
  }

  onInput(event) {
    if (!event.target.matches("textarea") || !this.live) return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_MS) return;
    this.lastTypingSent = now;
    this.send({ type: "typing" });
  }

  showError(form, message) {
    const slot = form.querySelector("[data-form-error]");
    if (slot) slot.textContent = message;
  }
}

const section = document.querySelector("section[data-thread]");
if (section && "WebSocket" in window) new LiveThread(section);
