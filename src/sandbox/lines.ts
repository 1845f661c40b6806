/** Splits a byte stream into newline-terminated lines, refusing any line longer than `limit` bytes. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    /** Mutable: the container raises it per job, since a line may carry a result of maxOutputBytes. */
    public limit: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const bytes = this.size + piece.length;
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]) : piece;
      this.parts = [];
      this.size = 0;
      start = nl + 1;
      if (bytes > this.limit) return this.onOverflow();
      this.onLine(line.toString('utf8'));
    }
    if (start < chunk.length) {
      this.parts.push(chunk.subarray(start));
      this.size += chunk.length - start;
      if (this.size > this.limit) {
        this.parts = [];
        this.size = 0;
        this.onOverflow();
      }
    }
  }
}
