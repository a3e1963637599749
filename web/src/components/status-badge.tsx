/** An execution's status as a coloured label (colour is never the only cue: the word is there). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}
