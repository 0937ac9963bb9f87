/**
 * The little of the DOM the browser tests read inside the page. The project compiles without
 * the DOM library (it is server code), so the functions that run in Chromium name these shapes.
 */
export interface PageElement {
  id: string;
  textContent: string | null;
  innerText: string;
  hidden: boolean;
  dataset: Record<string, string | undefined>;
}

export interface PageInput extends PageElement {
  value: string;
  readOnly: boolean;
}

/** Declare `document` with this type in a file whose in-page functions use it. */
export interface PageDocument {
  activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
}
