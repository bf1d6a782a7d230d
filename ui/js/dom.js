// Building DOM from data: always as text (textContent), never as HTML.

/** Creates an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, String(value));
    else if (key === "title" || key === "id" || key === "role" || key === "tabindex" || key === "list" || key.startsWith("aria-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replaces the children of the element with this id. */
export function fill(id, ...children) {
  const target = document.getElementById(id);
  target.replaceChildren(...children.flat().filter(Boolean));
  return target;
}

/**
 * Makes the children of the element with this id those given, changing the page in place: an
 * element already there (the same `data-key`, else the same place and tag) is kept and brought up
 * to date, so the keyboard focus and the scroll stay where they were across a refresh (once
 * the minute's refresh sent the next Tab back to the first card).
 */
export function update(id, ...children) {
  const target = document.getElementById(id);
  const focused = target.contains(document.activeElement) ? document.activeElement : null;
  morphChildren(target, children.flat().filter(Boolean));
  // Kept but moved among its siblings (moving a node takes the focus off it): focus it again.
  if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  return target;
}

const keyOf = (node) => (node.nodeType === Node.ELEMENT_NODE ? node.getAttribute("data-key") : null);

function morphChildren(target, wanted) {
  const old = [...target.childNodes];
  const byKey = new Map(old.filter(keyOf).map((n) => [keyOf(n), n]));
  const unkeyed = old.filter((n) => !keyOf(n));
  const kept = wanted.map((node) => {
    const key = keyOf(node);
    const match = key ? byKey.get(key) : unkeyed.shift();
    if (match && key) byKey.delete(key);
    return match ? morph(match, node) : node;
  });
  const keep = new Set(kept);
  for (const n of old) if (!keep.has(n)) n.remove();
  kept.forEach((node, i) => {
    if (target.childNodes[i] !== node) target.insertBefore(node, target.childNodes[i] ?? null);
  });
}

/** `current` made like `wanted`, or `wanted` when they cannot be the same node. */
function morph(current, wanted) {
  if (current.nodeType !== wanted.nodeType || current.nodeName !== wanted.nodeName) return wanted;
  if (current.nodeType !== Node.ELEMENT_NODE) {
    if (current.nodeValue !== wanted.nodeValue) current.nodeValue = wanted.nodeValue;
    return current;
  }
  for (const { name } of [...current.attributes]) if (!wanted.hasAttribute(name)) current.removeAttribute(name);
  for (const { name, value } of [...wanted.attributes]) if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  // Handlers set as properties (el's `onclick`) follow the new data.
  if (current.onclick !== wanted.onclick) current.onclick = wanted.onclick;
  morphChildren(current, [...wanted.childNodes]);
  return current;
}

export function text(id, value) {
  document.getElementById(id).textContent = value ?? "";
}

export function show(id, visible) {
  document.getElementById(id).hidden = !visible;
}

/** Removes the field errors a form shows. */
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/**
 * Shows an IPC error ({ field, message }) beside its field, or through `place` (given the
 * message element) when it is about no field.
 */
export function showFieldError(error, place) {
  const input = error.field && document.getElementById(error.field);
  const message = el("p", { class: "field-error", role: "alert", "data-for": error.field ?? "form" }, error.message);
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.closest("label").after(message);
  } else {
    place(message);
  }
}

/** The fields whose suggestions a key has already hidden, until something is typed in them again. */
const hidden = new WeakSet();
document.addEventListener("input", (event) => hidden.delete(event.target), true);

/**
 * Whether an Escape or an Enter typed in `field` is for its suggestions, not for the window: an
 * input with a `list` shows them (WebKit's dropdown) while what is typed is part of one of them
 * and not the whole, and the page sees the key first. Escape then hides them, Enter takes the one
 * picked; either way the next Escape or Enter is the window's again. Without this, Escape closed
 * Settings with the edits in it, and Enter saved half a zone name.
 */
export function forSuggestions(field) {
  const list = field?.list;
  if (!list || !field.value || hidden.has(field)) return false;
  const typed = field.value.toLowerCase();
  const showing = [...list.options].some((o) => o.value.toLowerCase() !== typed && o.value.toLowerCase().includes(typed));
  if (showing) hidden.add(field);
  return showing;
}
