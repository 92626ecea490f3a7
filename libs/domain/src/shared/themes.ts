/**
 * Themes are the partnership's own words, typed by many people: "Neglect", "neglect " and
 * "neglect" are one theme. They compare by their key; the first spelling is the one kept.
 */
export const themeKey = (theme: string): string => theme.trim().toLowerCase();

/** Trimmed, without blanks, each theme once (by key), in the order and spelling first given. */
export function tidyThemes(themes: readonly string[]): string[] {
  const seen = new Set<string>();
  const tidy: string[] = [];
  for (const theme of themes) {
    const key = themeKey(theme);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    tidy.push(theme.trim());
  }
  return tidy;
}

/** The themes given, tidied; when none are given, those inherited (a recommendation's from its review, an action's from its recommendation). */
export const themesOrInherited = (given: readonly string[] | undefined, inherited: readonly string[]): string[] => {
  const own = tidyThemes(given ?? []);
  return own.length > 0 ? own : tidyThemes(inherited);
};
