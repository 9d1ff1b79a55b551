/**
 * Small DOM helpers for the views (the graph view shared by the widget and
 * the MIME renderer, the inspector, the RNG stepper). Text always goes in
 * with `textContent`, so a name a user chose can never become markup.
 */

/** `<tag class="...">text</tag>`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A button with a class, a text and a click handler. */
export function button(
  className: string,
  text: string,
  title: string,
  onClick: () => void
): HTMLButtonElement {
  const b = el('button', `symlab-button ${className}`, text);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return b;
}

/** Show or hide an element. */
export function setShown(node: HTMLElement, shown: boolean): void {
  node.hidden = !shown;
}
