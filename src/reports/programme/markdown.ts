import type { ReportDocument } from './document.ts';

/** Pipes and line breaks would end a cell; backslashes, asterisks and the like would style it. */
function text(value: string): string {
  return value.replace(/\r\n|\r|\n/g, ' ').replace(/([\\`*_{}[\]<>|#])/g, '\\$1');
}

/** The report as Markdown: a heading per section, pipe tables that paste into a committee paper. */
export function programmeReportMarkdown(document: ReportDocument): string {
  const out: string[] = [`# ${text(document.title)}`, '', text(document.subtitle)];
  for (const section of document.sections) {
    out.push('', `## ${text(section.heading)}`);
    for (const block of section.blocks) {
      out.push('');
      if (block.kind === 'paragraph') {
        out.push(text(block.text));
        continue;
      }
      const align = block.head.map((_, index) => (block.numeric?.includes(index) ? '---:' : '---'));
      out.push(`| ${block.head.map(text).join(' | ')} |`, `|${align.join('|')}|`);
      for (const row of block.rows) out.push(`| ${row.map(text).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
