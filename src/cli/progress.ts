export interface Progress {
  /** One more item done. */
  tick(): void;
  /** Clears the bar so the summary starts on a clean line. */
  end(): void;
}

const silent: Progress = { tick() {}, end() {} };

/** A one-line bar redrawn in place on a terminal; nothing at all when stderr is not one. */
export const progressBar = (
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress => {
  if (!stream.isTTY || total === 0) return silent;
  let done = 0;
  let drawnAt = 0;
  const draw = () => {
    const counts = `${done}/${total}`;
    const width = Math.max(
      10,
      Math.min(40, (stream.columns || 80) - label.length - counts.length - 5),
    );
    const filled = Math.round((done / total) * width);
    stream.cursorTo(0);
    stream.write(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}`);
    stream.clearLine(1);
  };
  draw();
  return {
    tick() {
      done++;
      // A redraw per row would cost more than the row on a fast local table.
      const now = Date.now();
      if (done === total || now - drawnAt >= 50) {
        drawnAt = now;
        draw();
      }
    },
    end() {
      stream.cursorTo(0);
      stream.clearLine(0);
    },
  };
};
