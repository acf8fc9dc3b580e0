// Minimal types for @sabaki/sgf (the package ships none): what sgf.ts uses.
declare module '@sabaki/sgf' {
  interface Node {
    id?: number | string;
    data: Record<string, string[] | undefined>;
    parentId?: number | string | null;
    children: Node[];
  }
  const sgf: {
    parse(contents: string): Node[];
    stringify(nodes: Node[]): string;
  };
  export default sgf;
}
