/** See cell-text.mjs: at most `limit` characters, each half of a surrogate pair left alone made U+FFFD. */
export function wholeCellText(text: string, limit: number): string;
