/** The language the search stems words in: "assessments" finds "assessment". */
export const SEARCH_LANGUAGE = 'english';

/** The searchable words of some text expressions (any may be null), as a tsvector a generated column can hold. */
export const searchable = (...texts: string[]): string =>
  `to_tsvector('${SEARCH_LANGUAGE}', ${texts.map((text) => `coalesce(${text}, '')`).join(" || ' ' || ")})`;

/** What a person typed in a search box, as a query: words, "quoted phrases", -excluded words. */
export const searchQuery = (param: string): string => `websearch_to_tsquery('${SEARCH_LANGUAGE}', ${param})`;
