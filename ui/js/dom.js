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
