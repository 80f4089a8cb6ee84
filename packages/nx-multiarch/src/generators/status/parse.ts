/** Reads the status page's tables back (for tests and tools): rows keyed by column header, per `## ` section. */
export type PageTables = Record<string, Array<Record<string, string>>>;

const splitRow = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|').replace(/<br>/g, '\n'));

export function parsePageTables(markdown: string): PageTables {
  const tables: PageTables = {};
  let section = '';
  let header: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      header = undefined;
    } else if (!line.startsWith('|')) {
      header = undefined;
    } else if (!header) {
      header = splitRow(line);
      tables[section] = [];
    } else if (!/^\|[\s|:-]+\|$/.test(line.trim())) {
      const cells = splitRow(line);
      tables[section].push(Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ''])));
    }
  }
  return tables;
}
